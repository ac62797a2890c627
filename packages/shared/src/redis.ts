import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection. BullMQ workers and QueueEvents need `maxRetriesPerRequest: null` (blocking
 * commands); request-path connections fail fast instead so the API can answer 503 rather than hang.
 */
/** The deadline of one command on a request-path (non-blocking) connection. */
export const REQUEST_COMMAND_TIMEOUT_MS = 2_000;

export function createRedis(url: string, opts: { blocking?: boolean; name?: string } = {}): Redis {
  const options: RedisOptions & { skipVersionCheck?: boolean } = {
    maxRetriesPerRequest: opts.blocking ? null : 1,
    enableOfflineQueue: opts.blocking ? true : false,
    // A request path never waits on a hung Redis (stopped, black-holed) longer than a refused one would
    // make it: each command has a deadline. Blocking connections (BullMQ workers, QueueEvents) wait on purpose.
    ...(opts.blocking ? {} : { commandTimeout: REQUEST_COMMAND_TIMEOUT_MS }),
    // Read by BullMQ from a connection it is given: no INFO (its Redis version check) when a Queue or a
    // FlowProducer is built on a request-path connection. BullMQ runs that set-up once and, if it failed,
    // every later call of that queue rejects with its error for the life of the process; under the
    // deadline above it failed whenever the event loop or Redis stalled past 2 s while the API built its
    // queues (the reply, already in the socket, is read after the timer fires): the API then answered
    // redis_unavailable forever with /readyz 200. The cost: BullMQ assumes Redis 5 on these queues, so a
    // job-state read uses its Lua getState (lists scanned in Lua) instead of LPOS. Workers' and
    // QueueEvents' blocking connections still check the version.
    ...(opts.blocking ? {} : { skipVersionCheck: true }),
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
