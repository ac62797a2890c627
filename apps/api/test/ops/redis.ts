/**
 * Redis for the ops tests: the real server (`npm test` passes CA_TEST_REDIS_URL), a unique hash-tagged
 * key prefix per test file, and a cleanup that deletes every key under that prefix.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.CA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const uniquePrefix = (name: string) => `{t-ops-${name}-${randomBytes(4).toString('hex')}}`;

export const connect = () => new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: false });

/** Delete every key under `prefix` (SCAN, never KEYS: the server may be shared). */
export async function cleanup(redis: Redis, prefix: string): Promise<void> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (found.length) await redis.del(...found);
  } while (cursor !== '0');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
