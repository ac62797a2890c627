/**
 * The service under test: the API in this process (test/helpers/api.ts) and real worker processes
 * (test/helpers/processes.ts), a fresh queue prefix per stage, worker /metrics scraping, and a cleanup
 * list that runs on success, error and Ctrl-C alike.
 */
import { randomBytes } from 'node:crypto';
import { createRedis, waitReady } from '@ca/shared';
import { startApi, type ApiHandle } from '../../test/helpers/api.js';
import { obliterate } from '../../test/helpers/redis.js';
import { startWorker, waitFor, type WorkerHandle } from '../../test/helpers/processes.js';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export const benchPrefix = (name: string) => `{bench-${name}-${randomBytes(3).toString('hex')}}`;

/** Cleanup steps, run last-in first-out; each step runs once even when `run` is called twice. */
export class Cleanup {
  private readonly steps: { name: string; fn: () => Promise<unknown> }[] = [];
  readonly prefixes = new Set<string>();

  add(name: string, fn: () => Promise<unknown>): void {
    this.steps.push({ name, fn });
  }

  async run(log: (m: string) => void): Promise<void> {
    while (this.steps.length) {
      const s = this.steps.pop()!;
      await s.fn().catch((e: unknown) => log(`cleanup "${s.name}" failed: ${(e as Error).message}`));
    }
    if (!this.prefixes.size) return;
    const redis = createRedis(REDIS_URL, { name: 'ca-bench-cleanup' });
    try {
      await waitReady(redis);
      for (const p of this.prefixes) await obliterate(redis, p);
    } catch (e) {
      log(`could not remove the bench keys (${[...this.prefixes].join(', ')}): ${(e as Error).message}`);
    } finally {
      redis.disconnect();
    }
  }
}

/** Environment shared by the API and worker processes of one stage. */
export function serviceEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    MODEL_PROFILE: 'tiny',
    ALLOW_REMOTE_MODELS: 'false',
    WORKER_DOMAINS: 'nlp',
    WORKER_METRICS_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    HEARTBEAT_INTERVAL_MS: '500',
    HEARTBEAT_TTL_MS: '5000',
    RATE_LIMIT_BURST: '0',
    CACHE_TTL_S: '0',
    ...extra,
  };
}

export async function api(env: Record<string, string>, cleanup: Cleanup): Promise<ApiHandle> {
  cleanup.prefixes.add(env.QUEUE_PREFIX!);
  const h = await startApi(env);
  cleanup.add(`api ${env.QUEUE_PREFIX}`, () => h.close());
  return h;
}

export interface RunningWorker {
  handle: WorkerHandle;
  metricsPort: number;
  stop(): Promise<void>;
}

/** A real worker process; resolves once its heartbeat says it is ready for the nlp domain. */
export async function worker(env: Record<string, string>, a: ApiHandle, cleanup: Cleanup): Promise<RunningWorker> {
  const known = new Set((await a.deps.workers.list(true)).map((w) => w.id));
  const handle = startWorker(env);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await handle.stop();
  };
  cleanup.add(`worker ${handle.proc.pid}`, stop);
  const rec = await waitFor(
    async () => {
      if (handle.proc.exitCode !== null) throw new Error(`worker exited (${handle.proc.exitCode}):\n${handle.output().slice(-2000)}`);
      const list = await a.deps.workers.list(true);
      // tsx runs the worker in a child process, so the heartbeat's pid is not ours: take the new record.
      return list.find((w) => !known.has(w.id) && w.state === 'ready' && w.domains.includes('nlp'));
    },
    120_000,
    'the worker to be ready',
  ).catch((e: Error) => {
    throw new Error(`${e.message}\nworker output:\n${handle.output().slice(-2000)}`);
  });
  if (rec.metrics_port === undefined) throw new Error('worker heartbeat carries no metrics_port');
  return { handle, metricsPort: rec.metrics_port, stop };
}

/** Sum of a Prometheus sample over every series whose labels include `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{ ]+(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const got = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[2]);
  }
  return sum;
}

export interface TaskTimes {
  jobs: number;
  inferenceMs: number;
  inferenceCalls: number;
  jobMs: number;
  queueWaitMs: number;
}

/** Cumulative per-task figures from a worker's /metrics (histogram sums and counts). */
export async function taskTimes(metricsPort: number, task: string): Promise<TaskTimes> {
  const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  const t = await r.text();
  const done = { task, outcome: 'completed' };
  return {
    jobs: metricSum(t, 'ca_job_duration_seconds_count', done),
    jobMs: metricSum(t, 'ca_job_duration_seconds_sum', done) * 1000,
    inferenceCalls: metricSum(t, 'ca_inference_duration_seconds_count', { task }),
    inferenceMs: metricSum(t, 'ca_inference_duration_seconds_sum', { task }) * 1000,
    queueWaitMs: metricSum(t, 'ca_job_queue_wait_seconds_sum', { task }) * 1000,
  };
}

/** Mean per job between two snapshots. */
export function perJob(a: TaskTimes, b: TaskTimes): { jobs: number; inference: number; job: number; queueWait: number; callsPerJob: number } {
  const jobs = b.jobs - a.jobs;
  return {
    jobs,
    inference: (b.inferenceMs - a.inferenceMs) / jobs,
    job: (b.jobMs - a.jobMs) / jobs,
    queueWait: (b.queueWaitMs - a.queueWaitMs) / jobs,
    callsPerJob: (b.inferenceCalls - a.inferenceCalls) / jobs,
  };
}
