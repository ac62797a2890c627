/** Worker metrics (prom-client), served on the worker's own port. Base units, Prometheus names. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '@ca/shared';
import type { JobOutcome } from './processor.js';
import type { ModelStatus } from '@ca/shared';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createWorkerMetrics() {
  const registry = new Registry();
  collectProcessMetrics(registry);
  const jobDuration = new Histogram({ name: 'ca_job_duration_seconds', help: 'Job processing time, by task and outcome.', labelNames: ['task', 'outcome'], buckets: SECONDS, registers: [registry] });
  const queueWait = new Histogram({ name: 'ca_job_queue_wait_seconds', help: 'Time from enqueue to start, by task.', labelNames: ['task'], buckets: SECONDS, registers: [registry] });
  const inference = new Histogram({ name: 'ca_inference_duration_seconds', help: 'Model inference time, by task and model.', labelNames: ['task', 'model'], buckets: SECONDS, registers: [registry] });
  const failures = new Counter({ name: 'ca_job_failures_total', help: 'Failed job attempts, by task, error code and whether final.', labelNames: ['task', 'code', 'final'], registers: [registry] });
  const jobs = new Counter({ name: 'ca_jobs_processed_total', help: 'Jobs finished, by task and outcome.', labelNames: ['task', 'outcome'], registers: [registry] });
  const tokens = new Counter({ name: 'ca_tokens_total', help: 'Tokens in and out, by task and direction.', labelNames: ['task', 'direction'], registers: [registry] });
  const modelLoad = new Gauge({ name: 'ca_model_load_seconds', help: 'Time to load and warm a model.', labelNames: ['model', 'key', 'provider'], registers: [registry] });
  const modelInfo = new Gauge({ name: 'ca_model_info', help: 'Loaded models (value 1), with their execution provider.', labelNames: ['model', 'key', 'provider'], registers: [registry] });

  return {
    registry,
    modelLoaded(m: ModelStatus) {
      const provider = m.provider ?? 'cpu';
      modelLoad.labels(m.model, m.key, provider).set((m.load_ms ?? 0) / 1000);
      modelInfo.labels(m.model, m.key, provider).set(1);
    },
    outcome(o: JobOutcome) {
      for (const r of o.reports) {
        if (r.inferenceMs > 0) inference.labels(o.task, r.model).observe(r.inferenceMs / 1000);
        if (r.tokensIn) tokens.labels(o.task, 'in').inc(r.tokensIn);
        if (r.tokensOut) tokens.labels(o.task, 'out').inc(r.tokensOut);
      }
      queueWait.labels(o.task).observe(o.queueWaitMs / 1000);
      if (o.ok) {
        jobDuration.labels(o.task, 'completed').observe(o.durationMs / 1000);
        jobs.labels(o.task, 'completed').inc();
      } else {
        failures.labels(o.task, o.code ?? 'unknown', String(o.final)).inc();
        if (o.final) {
          jobDuration.labels(o.task, 'failed').observe(o.durationMs / 1000);
          jobs.labels(o.task, 'failed').inc();
        }
      }
    },
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
