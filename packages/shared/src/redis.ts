import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection. BullMQ workers and QueueEvents need `maxRetriesPerRequest: null` (blocking
 * commands); request-path connections fail fast instead so the API can answer 503 rather than hang.
 */
/** The deadline of one command on a request-path (non-blocking) connection. */
export const REQUEST_COMMAND_TIMEOUT_MS = 2_000;

export function createRedis(url: string, opts: { blocking?: boolean; name?: string } = {}): Redis {
  const r = new Redis(url, redisOptions(opts));
  // ioredis reconnects by itself and each command rejects on its own; an 'error' event with no listener
  // would only print a stack trace (or, in a library, become an exception). Callers that want to report
  // errors add a listener of their own.
  r.on('error', () => undefined);
  return r;
}

/** The options of createRedis(), for a library that makes its own connection from options (QueueEvents). */
export function redisOptions(opts: { blocking?: boolean; name?: string } = {}): RedisOptions & { skipVersionCheck?: boolean } {
  return {
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

/**
 * Whether this Redis keeps what it is sent across its own restart: an append-only file or snapshots.
 * Undefined when CONFIG is not ours to call (managed Redis often renames it); then nothing is said.
 */
export async function redisPersists(r: Redis): Promise<boolean | undefined> {
  try {
    const [, aof] = (await r.config('GET', 'appendonly')) as string[];
    const [, save] = (await r.config('GET', 'save')) as string[];
    return aof === 'yes' || (save ?? '').trim() !== '';
  } catch {
    return undefined;
  }
}
