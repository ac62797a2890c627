/** The ops tests use the shared test helpers: the real Redis, a unique prefix per file, prefix cleanup. */
import { testPrefix } from '../../../../test/helpers/env.js';
export { connect, obliterate as cleanup } from '../../../../test/helpers/redis.js';

export const uniquePrefix = (name: string) => testPrefix(`ops-${name}`);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
