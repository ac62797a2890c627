/**
 * One job, start to end: re-validate what was read from Redis, honour the deadline, fetch and decode the
 * upload, run the task's handler, check the result against its contract, cut long text, record metrics.
 * Errors are rethrown (as JSON failures) so BullMQ's retries and backoff apply.
 */
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { decodeAudio, decodeImage } from '@ca/media';
import {
  AppError,
  isTaskName,
  ResponseCache,
  JobDataSchema,
  keys,
  TASKS,
  type Config,
  type JobClient,
  type JobData,
  type Logger,
  type TaskName,
} from '@ca/shared';
import { HANDLERS } from './handlers/index.js';
import type { HandlerContext, InferenceReport, MediaInput } from './handlers/types.js';
import type { ModelHost } from './models/host.js';
import { cancelledError, toBullError } from './failures.js';
import { truncateTextFields } from './truncate.js';

export interface JobOutcome {
  task: string;
  requestId: string;
  ok: boolean;
  code?: string;
  final: boolean;
  durationMs: number;
  queueWaitMs: number;
  reports: InferenceReport[];
  truncated?: boolean;
  result?: unknown;
}

export interface ProcessorDeps {
  cfg: Config;
  models: ModelHost;
  log: Logger;
  redis: Redis;
  jobs: JobClient;
  onOutcome?: (o: JobOutcome) => void;
}

const unrecoverable = (status: number, code: string, message: string) => new AppError(status, code, message, { retryable: false });

export function createProcessor(deps: ProcessorDeps) {
  const { cfg, redis } = deps;
  const k = keys(cfg.QUEUE_PREFIX);
  // Cacheable results are stored by the worker that made them, so async jobs fill the cache too and the
  // in-flight marker is released even if the API process that claimed it is gone.
  const cache = new ResponseCache(redis, cfg.QUEUE_PREFIX, cfg.CACHE_TTL_S);

  return async (job: Job, _token?: string, signal: AbortSignal = new AbortController().signal): Promise<unknown> => {
    const t0 = Date.now();
    const reports: InferenceReport[] = [];
    const queueWaitMs = Math.max(0, (job.processedOn ?? t0) - job.timestamp);
    let data: JobData | undefined;
    const log = deps.log.child({ job_id: job.id, attempt: job.attemptsMade + 1 });
    try {
      const parsed = JobDataSchema.safeParse(job.data);
      if (!parsed.success || !isTaskName(parsed.data.task)) throw unrecoverable(422, 'invalid_job', 'the job payload is malformed');
      data = parsed.data;
      const task = data.task as TaskName;
      log.setBindings({ request_id: data.requestId, task });
      if (Date.now() > data.deadline) throw unrecoverable(504, 'deadline_exceeded', 'the job waited past its deadline');
      const contract = TASKS[task];
      const input = contract.input.schema.safeParse(data.input);
      if (!input.success) throw unrecoverable(422, 'validation_error', 'the job input does not match the task contract');
      await injectFault(task);
      const media = await loadMedia(contract.input, data);
      const ctx: HandlerContext = {
        cfg,
        models: deps.models,
        log,
        signal,
        report: (r) => reports.push(r),
        checkCancelled: () => {
          if (signal.aborted) throw cancelledError();
        },
        runTask: async (t, i) => {
          const id = await deps.jobs.submit(t, i, { requestId: data!.requestId, ...(data!.owner ? { owner: data!.owner } : {}) });
          const o = await deps.jobs.wait(id, Math.max(1000, data!.deadline - Date.now()));
          if (o.state === 'completed') return o.result as never;
          if (o.state === 'failed') throw new AppError(o.failure.status, o.failure.code, o.failure.message, { ...(o.failure.details ? { details: o.failure.details } : {}), retryable: o.failure.status >= 500 });
          throw new AppError(504, 'deadline_exceeded', `chained ${t} job did not finish in time`);
        },
      };
      ctx.checkCancelled();
      const raw = await (HANDLERS[task] as (i: unknown, m: MediaInput, c: HandlerContext) => Promise<unknown>)(input.data, media, ctx);
      const checked = contract.result.safeParse(raw);
      if (!checked.success) {
        log.error({ issues: checked.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'handler result breaks the contract');
        throw new AppError(500, 'invalid_result', 'the model produced a result that does not fit the task contract');
      }
      const { value, truncated } = truncateTextFields(checked.data, cfg.MAX_RESPONSE_CHARS);
      if (data.blob) await redis.del(data.blob.key);
      if (data.cacheKey) await cache.set(task, data.cacheKey, value);
      if (data.inflightKey) await cache.releaseInflight(task, data.inflightKey, job.id!);
      deps.onOutcome?.({ task, requestId: data.requestId, ok: true, final: true, durationMs: Date.now() - t0, queueWaitMs, reports, truncated, result: value });
      log.info({ duration_ms: Date.now() - t0, queue_wait_ms: queueWaitMs }, 'job completed');
      return value;
    } catch (err) {
      const bull = toBullError(err);
      const failure = JSON.parse(bull.message) as { code: string };
      const final = bull.name === 'UnrecoverableError' || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (final && data?.blob) await redis.del(data.blob.key).catch(() => undefined);
      if (final && data?.inflightKey) await cache.releaseInflight(data.task, data.inflightKey, job.id!).catch(() => undefined);
      if (!(err instanceof AppError)) log.error({ err: (err as Error)?.message?.slice(0, 500) }, 'job failed with an unexpected error');
      else log.warn({ code: failure.code, final }, 'job failed');
      deps.onOutcome?.({ task: data?.task ?? 'unknown', requestId: data?.requestId ?? '', ok: false, code: failure.code, final, durationMs: Date.now() - t0, queueWaitMs, reports });
      throw bull;
    }
  };

  async function loadMedia(input: (typeof TASKS)[TaskName]['input'], data: JobData): Promise<MediaInput> {
    if (input.kind !== 'upload') return {};
    if (!data.blob) throw unrecoverable(422, 'invalid_job', 'the job has no upload');
    const bytes = await redis.getBuffer(data.blob.key);
    if (!bytes) throw unrecoverable(410, 'upload_expired', 'the uploaded file is no longer available');
    if (input.media === 'image') {
      return { image: await decodeImage(bytes, { maxBytes: cfg.MAX_IMAGE_BYTES, maxPixels: cfg.MAX_IMAGE_PIXELS }) };
    }
    return { audio: await decodeAudio(bytes, { maxBytes: cfg.MAX_AUDIO_BYTES, maxSeconds: cfg.MAX_AUDIO_SECONDS }) };
  }

  /**
   * Fault injection for tests of retries: off unless FAULT_INJECTION=true. A test writes
   * `{task, failures}` to the fault key; that many attempts of that task fail with a transient error.
   */
  async function injectFault(task: string): Promise<void> {
    if (!cfg.FAULT_INJECTION) return;
    const left = await redis.hincrby(k.fault, task, -1);
    if (left >= 0) throw new AppError(500, 'injected_fault', 'fault injected for testing', { retryable: true });
    await redis.hset(k.fault, task, 0);
  }
}
