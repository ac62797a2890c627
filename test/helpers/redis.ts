/** Redis for tests: a connection to the test server and a prefix-scoped cleanup. */
import { createRedis } from '@ca/shared';
import { REDIS_URL } from './env.js';

type Redis = ReturnType<typeof createRedis>;
export const connect = (): Redis => createRedis(REDIS_URL, { name: 'ca-test', blocking: true }) // queues commands until connected;

/** Delete every key under `prefix` (SCAN, never KEYS: the server may be shared). */
export async function obliterate(redis: Redis, prefix: string): Promise<void> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (found.length) await redis.del(...found);
  } while (cursor !== '0');
}
