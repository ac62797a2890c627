import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection. BullMQ workers and QueueEvents need `maxRetriesPerRequest: null` (blocking
 * commands); request-path connections fail fast instead so the API can answer 503 rather than hang.
 */
export function createRedis(url: string, opts: { blocking?: boolean; name?: string } = {}): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: opts.blocking ? null : 1,
    enableOfflineQueue: opts.blocking ? true : false,
    connectTimeout: 5_000,
    lazyConnect: false,
    ...(opts.name ? { connectionName: opts.name } : {}),
    retryStrategy: (times) => Math.min(200 * times, 2_000),
  };
  return new Redis(url, options);
}

/** Resolves when the connection is ready, rejects after `ms`. */
export async function waitReady(r: Redis, ms = 5_000): Promise<void> {
  if (r.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not reachable within ${ms} ms`));
    }, ms);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(t);
      r.off('ready', onReady);
    };
    r.on('ready', onReady);
  });
}
