import type { Redis } from 'ioredis';
import { BatchClient, JobClient, type Config, type Logger } from '@ca/shared';
import { WorkerDirectory } from './services/workers.js';
import { createApiMetrics, type ApiMetrics } from './services/metrics.js';
import { startDeliveries, type DeliveryLog } from './webhooks/deliver.js';

/** What route handlers and middleware share: built once per process and passed down. */
export interface AppDeps {
  cfg: Config;
  log: Logger;
  redis: Redis;
  jobs: JobClient;
  workers: WorkerDirectory;
  metrics: ApiMetrics;
  /** Set when the process is shutting down: /readyz answers 503 so load balancers stop sending. */
  lifecycle: { draining: boolean };
  batches: BatchClient;
  /** The webhook deliveries this process consumes, and their log. */
  deliveries: { log: DeliveryLog; close(): Promise<unknown> };
  /** Stop consuming deliveries and close the queues (not the Redis connection, which is the caller's). */
  close(): Promise<void>;
}

/** The API's dependencies over one Redis connection (main.ts, and tests that run the API in-process). */
export function createDeps(cfg: Config, log: Logger, redis: Redis): AppDeps {
  const jobs = new JobClient(cfg, redis);
  const batches = new BatchClient(cfg, redis, jobs);
  const deliveries = startDeliveries(cfg, jobs, batches, redis, log);
  return {
    cfg,
    log,
    redis,
    jobs,
    workers: new WorkerDirectory(cfg, redis),
    metrics: createApiMetrics(jobs),
    lifecycle: { draining: false },
    batches,
    deliveries: { log: deliveries.deliveries, close: deliveries.close },
    async close() {
      await deliveries.close().catch(() => undefined);
      await batches.close().catch(() => undefined);
      await jobs.close();
    },
  };
}
