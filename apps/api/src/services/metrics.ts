import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry } from 'prom-client';
import { ALL_QUEUES, collectProcessMetrics, type JobClient } from '@ca/shared';
import { createOpsMetrics } from './ops/metrics.js';

/**
 * API metrics: HTTP requests and latency by route and status, cache hits and misses, rate-limit
 * rejections, and queue depth by domain and state (read from Redis at scrape time, so every API
 * process reports the same shared queues).
 */
export function createApiMetrics(jobs: JobClient) {
  const registry = new Registry();
  collectProcessMetrics(registry);
  const requests = new Counter({ name: 'ca_http_requests_total', help: 'HTTP requests, by method, route and status.', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'ca_http_request_duration_seconds',
    help: 'HTTP request latency, by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const t0 = process.hrtime.bigint();
    res.on('finish', () => {
      // Route templates, never raw paths: a job id in a label would explode cardinality.
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - t0) / 1e9);
    });
    next();
  };
  const ops = createOpsMetrics(registry, {
    getCounts: async () =>
      Object.fromEntries(
        await Promise.all(ALL_QUEUES.map(async (q) => [q, await jobs.queues[q].getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed', 'paused')] as const)),
      ),
  });
  return { registry, middleware, ...ops };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;
