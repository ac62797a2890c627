import type { Redis } from 'ioredis';
import { BatchClient, JobClient, waitReady, type Config, type Logger } from '@ca/shared';
import { WorkerDirectory } from './services/workers.js';
import { createApiMetrics, type ApiMetrics } from './services/metrics.js';
import { startDeliveries, type DeliveryLog } from './webhooks/deliver.js';

/** What route handlers and middleware share: built once per process and passed down. */
export interface AppDeps {
  cfg: Config;
  log: Logger;
  redis: Redis;
  /**
   * The same Redis with ioredis auto-pipelining, for the commands every task request makes (rate limit,
   * cache lookup, ops event, admission, in-flight slots): the commands of concurrent requests go out in one write per event-loop turn
   * instead of one write each. Not the connection BullMQ uses: auto-pipelined commands are sent a turn
   * later than a MULTI issued in the same turn, and BullMQ's own sequences are not written for that.
   */
  pipelined: Redis;
  jobs: JobClient;
  workers: WorkerDirectory;
  metrics: ApiMetrics;
  /** Set when the process is shutting down: /readyz answers 503 so load balancers stop sending. */
  lifecycle: { draining: boolean };
  batches: BatchClient;
  /** The webhook deliveries this process consumes, and their log. */
  deliveries: { log: DeliveryLog; close(): Promise<unknown> };
  /** Stop consuming deliveries, close the queues and `pipelined` (not `redis`, which is the caller's). */
  close(): Promise<void>;
}

/**
 * The API's dependencies over one Redis connection (main.ts, and tests that run the API in-process). When
 * `redis` is ready, so is `pipelined` on return: it refuses commands until it has connected (no offline
 * queue, as every request-path connection), and the first requests would answer redis_unavailable.
 */
export async function createDeps(cfg: Config, log: Logger, redis: Redis): Promise<AppDeps> {
  const pipelined = redis.duplicate({ enableAutoPipelining: true, connectionName: 'ca-api-pipelined' });
  pipelined.on('error', () => undefined); // as createRedis: each command rejects on its own
  if (redis.status === 'ready') await waitReady(pipelined).catch(() => undefined); // else: 503 until Redis is back, as for `redis`
  const jobs = new JobClient(cfg, redis, pipelined);
  const batches = new BatchClient(cfg, redis, jobs);
  const deliveries = startDeliveries(cfg, jobs, batches, redis, log);
  return {
    cfg,
    log,
    redis,
    pipelined,
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
      pipelined.disconnect();
    },
  };
}
