/**
 * A worker process: loads the models of its domains, then consumes those domains' queues, heartbeats,
 * serves /metrics, listens for cancellations, and shuts down gracefully.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import {
  appendEvent,
  TASKS,
  tasksOfDomain,
  createRedis,
  redisPersists,
  keys,
  qualityScore,
  queueName,
  type Config,
  type QueueName,
  type Domain,
  type Logger,
  type TaskName,
  type WorkerRecord,
  within,
} from '@ca/shared';
import { assertHandlersComplete } from './handlers/index.js';
import { startHeartbeat } from './heartbeat.js';
import { createWorkerMetrics } from './metrics.js';
import { InferencePool } from './inference/pool.js';
import { createProcessor, HAND_BACK_REASON, type JobOutcome } from './processor.js';
import { createChains } from './chain.js';
import { TEXT_FIELDS } from './truncate.js';

export async function startWorkerProcess(cfg: Config, log: Logger) {
  assertHandlersComplete();
  const id = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const redis = createRedis(cfg.REDIS_URL, { blocking: true, name: `ca-worker-${id}` });
  const sub = createRedis(cfg.REDIS_URL, { blocking: true, name: `ca-worker-sub-${id}` });
  // The jobs' own commands (cancel check, cache, upload, release, ops event) with ioredis auto-pipelining:
  // those issued in one event-loop turn share a write. Not for BullMQ or the chains' flows, whose MULTI
  // sequences are not written for a connection that defers commands to the next turn.
  const fast = redis.duplicate({ enableAutoPipelining: true, connectionName: `ca-worker-fast-${id}` });
  fast.on('error', () => undefined); // as createRedis: each command rejects on its own
  const metrics = createWorkerMetrics();
  // Work a handler hands to another task becomes a child job on that task's queue (chain.ts).
  const chains = createChains(cfg, redis);
  const inference = new InferencePool(cfg, [...cfg.WORKER_DOMAINS], log);
  let state: WorkerRecord['state'] = 'loading';
  /** BullMQ workers by queue: each served domain's live lane, and its batch lane unless WORKER_BATCH_CONCURRENCY=0. */
  const workers = new Map<QueueName, Worker>();
  const startedAt = new Date().toISOString();

  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    } else if (req.url === '/healthz') res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'ok', state }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(cfg.WORKER_METRICS_PORT, cfg.HOST, resolve));
  const metricsPort = (server.address() as { port: number }).port;

  /** A domain's queue is consumed once one of its tasks can run (extract-text while CLIP is missing). */
  const servable = (d: Domain) => tasksOfDomain(d).some((t) => inference.status.tasks.includes(t.name as TaskName));
  const complete = () => cfg.WORKER_DOMAINS.every((d) => tasksOfDomain(d).every((t) => inference.status.tasks.includes(t.name as TaskName)));
  const snapshot = () => ({
    started_at: startedAt,
    state,
    domains: cfg.WORKER_DOMAINS.filter((d) => workers.has(d)),
    tasks: inference.status.tasks.filter((t) => workers.has(TASKS[t].domain)),
    batches: cfg.WORKER_BATCH_CONCURRENCY > 0,
    unavailable: cfg.WORKER_DOMAINS.filter((d) => state !== 'loading' && tasksOfDomain(d).some((t) => !inference.status.tasks.includes(t.name as TaskName))).map((d) => ({
      domain: d,
      // Every failure among this domain's own models (another domain's failure is not its reason).
      error:
        [...new Set(inference.status.status.filter((s) => s.error && tasksOfDomain(d).some((t) => (t.models as readonly string[]).includes(s.key))).map((s) => s.error!))].join('; ') ||
        'models not loaded',
    })),
    models: inference.status.status,
    providers: inference.status.providers,
    metrics_port: metricsPort,
  });
  if ((await redisPersists(redis)) === false) {
    log.warn('this Redis keeps neither an append-only file nor snapshots: if it restarts, queued jobs and results are lost (set appendonly yes)');
  }
  const heartbeat = startHeartbeat(cfg, redis, id, snapshot);
  await heartbeat.beat();
  heartbeat.start();

  log.info({ worker_id: id, domains: cfg.WORKER_DOMAINS, metrics_port: metricsPort }, 'loading models');
  const loaded = await inference.start();
  for (const m of loaded.status) if (m.provider) metrics.modelLoaded(m);

  const onOutcome = (o: JobOutcome) => {
    metrics.outcome(o);
    if (!o.final) return;
    const model = o.reports[0]?.model ?? '';
    const sum = (f: (r: JobOutcome['reports'][number]) => number | undefined) => o.reports.reduce((s, r) => s + (f(r) ?? 0), 0);
    const confidence = [...o.reports].reverse().find((r) => r.confidence !== undefined)?.confidence;
    const empty = o.ok && isEmptyResult(o.result);
    appendEvent(fast, cfg.QUEUE_PREFIX, {
      ts: Date.now(),
      task: o.task,
      model,
      ok: o.ok,
      ...(o.code ? { code: o.code } : {}),
      cached: false,
      latency_ms: o.durationMs + o.queueWaitMs,
      queue_wait_ms: o.queueWaitMs,
      inference_ms: Math.round(sum((r) => r.inferenceMs)),
      tokens_in: sum((r) => r.tokensIn),
      tokens_out: sum((r) => r.tokensOut),
      quality: qualityScore({ ok: o.ok, empty, truncated: o.truncated ?? false, ...(confidence !== undefined ? { confidence } : {}) }),
    }).catch((err) => log.warn({ err: (err as Error).message }, 'could not append the ops event'));
  };

  const processor = createProcessor({ cfg, inference, log, redis: fast, chains, onOutcome });
  const release = (job: Job) =>
    processor.releaseJob(job).catch((err: Error) => log.warn({ job_id: job.id, err: err.message }, 'could not release the finished job (its upload expires by itself)'));
  const consume = (q: QueueName, concurrency: number) => {
    const w = new Worker(q, processor.processJob, {
      connection: createRedis(cfg.REDIS_URL, { blocking: true, name: `ca-worker-${q}-${id}` }),
      prefix: cfg.QUEUE_PREFIX,
      name: id, // recorded on each job as processedBy
      concurrency,
      // Models run in the inference thread, so this event loop stays free to renew locks. A worker that
      // dies loses its lock after JOB_LOCK_MS and its job goes back to the queue (stalled check).
      lockDuration: cfg.JOB_LOCK_MS,
      stalledInterval: cfg.JOB_LOCK_MS,
      maxStalledCount: 2,
    });
    w.on('error', (err) => log.error({ queue: q, err: err.message }, 'worker error'));
    w.on('completed', (job) => void release(job));
    // finishedOn is set only when the failure is final (a retried job keeps its upload).
    w.on('failed', (job) => void (job?.finishedOn ? release(job) : undefined));
    workers.set(q, w);
  };
  // Batch items have slots of their own: a live job never waits for a slot behind them.
  const serve = (d: Domain) => {
    consume(queueName(d), cfg.workerConcurrency);
    if (cfg.WORKER_BATCH_CONCURRENCY > 0) consume(queueName(d, 'batch'), cfg.WORKER_BATCH_CONCURRENCY);
  };
  for (const d of cfg.WORKER_DOMAINS) {
    const missing = tasksOfDomain(d).filter((t) => !loaded.tasks.includes(t.name as TaskName)).map((t) => t.name);
    if (servable(d)) serve(d);
    if (missing.length) log.error({ domain: d, tasks: missing, retry_s: cfg.MODEL_RETRY_S }, servable(d) ? 'tasks not served: their models could not be loaded' : 'domain not served: its models could not be loaded');
  }

  // Models that failed (a Hub outage, a folder filled later) are tried again, and their domains start
  // being served as soon as they load.
  let retry: NodeJS.Timeout | undefined;
  const retryLoad = async () => {
    const before = inference.status.tasks;
    const st = await inference.retryLoad();
    for (const d of cfg.WORKER_DOMAINS) {
      if (!workers.has(d) && servable(d)) serve(d);
    }
    const added = st.tasks.filter((t) => !before.includes(t));
    if (added.length) log.info({ tasks: added }, 'tasks now served: their models loaded on retry');
    for (const m of st.status) if (m.provider) metrics.modelLoaded(m);
    await heartbeat.beat();
    if (!complete() && state === 'ready') retry = setTimeout(() => void retryLoad().catch(() => undefined), cfg.MODEL_RETRY_S * 1000);
  };
  if (!complete() && cfg.MODEL_RETRY_S > 0) {
    retry = setTimeout(() => void retryLoad().catch(() => undefined), cfg.MODEL_RETRY_S * 1000);
  }

  await sub.subscribe(keys(cfg.QUEUE_PREFIX).cancelChannel);
  sub.on('message', (_channel, jobId: string) => {
    for (const w of workers.values()) if (w.cancelJob(jobId, 'cancelled by client')) log.info({ job_id: jobId }, 'cancelling active job');
  });

  state = 'ready';
  await heartbeat.beat();
  const serving = [...workers.keys()];
  if (serving.length) log.info({ worker_id: id, serving, providers: loaded.providers }, 'worker ready');
  else log.error({ worker_id: id }, 'worker up but serving no domain: no models could be loaded');

  /**
   * Drain, then stop. Resolves `clean: false` when the inference thread is still inside a model call
   * after the hand-back grace: such a thread cannot be stopped without aborting the process, so the
   * caller (main.ts) kills the process instead; its jobs were handed back or come back as stalled.
   */
  let closing: Promise<{ clean: boolean }> | undefined;
  const close = () =>
    (closing ??= (async () => {
      state = 'draining';
      clearTimeout(retry);
      await heartbeat.stop();
      log.info({ timeout_ms: cfg.SHUTDOWN_TIMEOUT_MS }, 'draining: finishing active jobs');
      const drained = Promise.all([...workers.values()].map((w) => w.close()));
      if (!(await within(drained, cfg.SHUTDOWN_TIMEOUT_MS))) {
        // BullMQ's close(true) after close() only returns the first close's promise: nothing would be
        // forced. Abort the running jobs instead: each goes back to wait at once (processor.ts).
        log.warn('shutdown timeout: handing active jobs back to the queue');
        for (const w of workers.values()) w.cancelAllJobs(HAND_BACK_REASON);
        if (!(await within(drained, HAND_BACK_GRACE_MS))) log.error('active jobs were not handed back in time; their locks will lapse and they will be retried');
      }
      await chains.close();
      const clean = await inference.close({ abortRunning: true, timeoutMs: HAND_BACK_GRACE_MS });
      if (!clean) log.error({ grace_ms: HAND_BACK_GRACE_MS }, 'the inference thread is stuck in a model call');
      server.close();
      sub.disconnect();
      fast.disconnect();
      redis.disconnect();
      return { clean };
    })());

  return { id, metricsPort, close, inference, workers };
}

/** After SHUTDOWN_TIMEOUT_MS: how long a closing worker waits for the hand-back, then for a model call already running to return. */
const HAND_BACK_GRACE_MS = 10_000;

function isEmptyResult(r: unknown): boolean {
  if (!r || typeof r !== 'object') return true;
  const o = r as Record<string, unknown>;
  for (const f of TEXT_FIELDS) if (f in o) return typeof o[f] !== 'string' || (o[f] as string).trim() === '';
  return false;
}
