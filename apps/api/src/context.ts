import type { Redis } from 'ioredis';
import type { Config, JobClient, Logger } from '@ca/shared';
import type { WorkerDirectory } from './services/workers.js';
import type { ApiMetrics } from './services/metrics.js';

/** What route handlers and middleware share: built once in main.ts (or by a test) and passed down. */
export interface AppDeps {
  cfg: Config;
  log: Logger;
  redis: Redis;
  jobs: JobClient;
  workers: WorkerDirectory;
  metrics: ApiMetrics;
}
