/**
 * Test environment: a real Redis (started by `npm test`, passed as CA_TEST_REDIS_URL), a fresh key
 * prefix per test file, and the generated tiny models.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { REPO_ROOT } from '@ca/shared';

export const REDIS_URL = process.env.CA_TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TINY_MODELS_DIR = path.join(REPO_ROOT, 'models/tiny');
export const REFERENCE_MODELS = path.resolve(REPO_ROOT, '../shared/reference-models');

/** A unique hash-tagged queue prefix: test files never see each other's keys. */
export const testPrefix = (name: string) => `{t-${name}-${randomBytes(3).toString('hex')}}`;

/** Environment for API and worker processes under test. */
export function testEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    MODEL_PROFILE: 'tiny',
    MODELS_DIR: TINY_MODELS_DIR,
    ALLOW_REMOTE_MODELS: 'false',
    WORKER_METRICS_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    HEARTBEAT_INTERVAL_MS: '300',
    HEARTBEAT_TTL_MS: '2000',
    JOB_BACKOFF_MS: '50',
    ORT_THREADS: '1',
    // One inference thread per test worker (each thread loads every model): the pool has its own test.
    WORKER_INFERENCE_THREADS: '1',
    RATE_LIMIT_BURST: '0',
    ENV_FILE: '', // a developer's .env never reaches a test's processes
    ...extra,
  };
}
