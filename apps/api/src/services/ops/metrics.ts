/**
 * Prometheus families for the API's ops features (DESIGN §5): cache hits and misses, rate-limit
 * rejections and queue depth by state. Registered on the API's registry next to the HTTP metrics.
 */
import { domainOfQueue, laneOfQueue, type QueueName } from '@ca/shared';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Job counts per queue and state, e.g. `{nlp: {waiting: 3, active: 1}, 'nlp-batch': {waiting: 500}}`. */
export type QueueCounts = Partial<Record<QueueName, Record<string, number>>>;

export interface OpsMetricsOptions {
  /**
   * Read at scrape time, e.g. per domain BullMQ `queue.getJobCounts('waiting', 'active', 'delayed',
   * 'failed', 'completed', 'paused')`.
   */
  getCounts: () => Promise<QueueCounts>;
  /** Give up on getCounts after this long (default 2 s) so a slow or unreachable Redis cannot hang /metrics. */
  countsTimeoutMs?: number;
}

export interface OpsMetrics {
  /** Inc with `{task, result: 'hit' | 'miss'}` on every cache lookup of a cacheable task. */
  cacheRequests: Counter<'task' | 'result'>;
  /** Inc with `{scope: 'client' | 'global'}` on every 429 from the rate limiter. */
  rateLimitRejections: Counter<'scope'>;
  /** Filled at collect time from getCounts. */
  queueJobs: Gauge<'domain' | 'lane' | 'state'>;
  /** 1 when this scrape read the queue counts, 0 when getCounts failed or timed out (ca_queue_jobs is then empty). */
  queueCountsOk: Gauge;
}

export function createOpsMetrics(registry: Registry, opts: OpsMetricsOptions): OpsMetrics {
  const { getCounts, countsTimeoutMs = 2_000 } = opts;
  const registers = [registry];

  const cacheRequests = new Counter({
    name: 'ca_cache_requests_total',
    help: 'Response cache lookups, by task and result (hit or miss).',
    labelNames: ['task', 'result'] as const,
    registers,
  });
  const rateLimitRejections = new Counter({
    name: 'ca_rate_limit_rejections_total',
    help: 'Requests refused with 429 by the rate limiter, by scope (client or global bucket).',
    labelNames: ['scope'] as const,
    registers,
  });

  /** Never rejects: resolves to the counts, or undefined when they could not be read in time. */
  const readCounts = async (): Promise<QueueCounts | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        getCounts(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('queue counts timed out')), countsTimeoutMs);
          timer.unref();
        }),
      ]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
  // The registry starts every family's collect in registration order within one scrape, so the success
  // gauge (registered after) can await the read that ca_queue_jobs started in the same scrape.
  let lastRead: Promise<QueueCounts | undefined> = Promise.resolve(undefined);

  const queueJobs = new Gauge({
    name: 'ca_queue_jobs',
    help: 'Jobs in each domain queue (lane: live, or batch items), by state, read from Redis at scrape time.',
    labelNames: ['domain', 'lane', 'state'] as const,
    registers,
    async collect() {
      // Reset first: a state or domain that disappeared must not keep reporting its last value, and
      // a failed read must show up as missing data, not as stale numbers.
      this.reset();
      const counts = await (lastRead = readCounts());
      for (const [queue, states] of Object.entries(counts ?? {}) as [QueueName, Record<string, number>][]) {
        const labels = { domain: domainOfQueue(queue), lane: laneOfQueue(queue) };
        for (const [state, n] of Object.entries(states)) if (Number.isFinite(n)) this.set({ ...labels, state }, n);
      }
    },
  });
  const queueCountsOk = new Gauge({
    name: 'ca_queue_jobs_scrape_success',
    help: 'Whether this scrape could read the queue job counts (1) or not (0: Redis slow or unreachable).',
    registers,
    async collect() {
      this.set((await lastRead) ? 1 : 0);
    },
  });

  // Zero series for both scopes so rate() works before the first rejection.
  rateLimitRejections.inc({ scope: 'client' }, 0);
  rateLimitRejections.inc({ scope: 'global' }, 0);

  return { cacheRequests, rateLimitRejections, queueJobs, queueCountsOk };
}
