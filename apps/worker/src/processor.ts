/**
 * One job, start to end, on the worker's main thread: re-validate what was read from Redis, honour the
 * deadline, fetch the upload, hand input and upload to the inference thread (which decodes and runs the
 * handler), make work the handler hands on a child job (chain.ts), check the result against its
 * contract, cut long text, fill the cache, record metrics.
 * Errors are rethrown (as JSON failures) so BullMQ's retries and backoff apply.
 */
import { DelayedError, WaitingChildrenError, WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  AppError,
  cancelledError,
  isStoreError,
  isTaskName,
  ResponseCache,
  JobDataSchema,
  keys,
  TASKS,
  type Config,
  type ErrorCode,
  type JobData,
  type Logger,
  type TaskName,
} from '@ca/shared';
import type { InferenceReport } from './handlers/types.js';
import type { InferencePool } from './inference/pool.js';
import type { RunRequest } from './inference/protocol.js';
import { toBullError } from './failures.js';
import type { Chains } from './chain.js';
import { createFaults } from './faults.js';
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
  /** The worker's inference threads (one pool; an InferenceThread has the same three members). */
  inference: Pick<InferencePool, 'run' | 'cancel' | 'status'>;
  log: Logger;
  redis: Redis;
  chains: Chains;
  onOutcome?: (o: JobOutcome) => void;
}

/** How long a job that met a store error waits before it runs again (±50 %). */
const STORE_RETRY_MS = 1000;

/** The abort reason of jobs a closing worker hands back (worker-process.ts): they go back to wait, same attempt. */
export const HAND_BACK_REASON = 'worker shutting down';

/** A job of a task this worker cannot run now (one of its models failed to load). */
class NotServedHere extends Error {}
const NOT_SERVED_RETRY_MS = 2000;

const unrecoverable = (status: number, code: ErrorCode, message: string) => new AppError(status, code, message, { retryable: false });

export function createProcessor(deps: ProcessorDeps) {
  const { cfg, redis } = deps;
  const k = keys(cfg.QUEUE_PREFIX);
  // Cacheable results are stored by the worker that made them, so async jobs fill the cache too and the
  // in-flight marker is released even if the API process that claimed it is gone.
  const cache = new ResponseCache(redis, cfg.QUEUE_PREFIX, cfg.CACHE_TTL_S);
  const faults = createFaults(cfg, redis);

  // Three declared parameters, none with a default: BullMQ hands a processor an abort signal (for
  // cancelJob/cancelAllJobs) only when its `length` is at least 3, and a default would make it 2.
  const processJob = async (job: Job, token: string | undefined, abortSignal: AbortSignal | undefined): Promise<unknown> => {
    const signal = abortSignal ?? new AbortController().signal;
    const t0 = Date.now();
    const reports: InferenceReport[] = [];
    const queueWaitMs = Math.max(0, (job.processedOn ?? t0) - job.timestamp);
    let data: JobData | undefined;
    const log = deps.log.child({ job_id: job.id, attempt: job.attemptsMade + 1 });
    /** The handler's result, from the inference thread; work it hands to another task becomes a child job. */
    const runHandler = async (task: TaskName, input: unknown, d: JobData): Promise<unknown> => {
      const upload = await loadUpload(TASKS[task].input, d);
      // Steps of the handler become the job's progress (GET /jobs/{id}/events); losing one is harmless.
      const run = deps.inference.run({ task, input, requestId: d.requestId, priority: job.opts.priority ?? 0, ...(upload ? { upload } : {}) }, (p) => void job.updateProgress({ ...p }).catch(() => undefined));
      void faults.dieAt('inference');
      const onAbort = () => deps.inference.cancel(run.id);
      // A cancel that came while the upload was read has fired already: pass it on now.
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort);
      const reply = await untilHandedBack(run.done, signal).finally(() => signal.removeEventListener('abort', onAbort));
      reports.push(...reply.reports);
      return reply.next ? deps.chains.handOver(job, token!, d, reply.next) : reply.value;
    };
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
      await faults.failures(task);
      await faults.dieAt('start');
      // BullMQ tracks the job (so a cancel message reaches it) before calling us; one sent earlier left this key.
      if (signal.aborted || (await redis.exists(k.cancelRequested(job.id!)))) throw cancelledError();
      // This worker takes the domain's queue for its other tasks: a job of a task whose models it lacks
      // goes back for another worker (or for this one, once the model loads), without spending an attempt.
      if (!data.chain && !deps.inference.status.tasks.includes(task)) throw new NotServedHere();
      // A parent whose child has finished completes from the stored chain, without a model call.
      const raw = data.chain ? await deps.chains.resume(job, token!, { ...data, chain: data.chain }) : await runHandler(task, input.data, data);
      const checked = contract.result.safeParse(raw);
      if (!checked.success) {
        log.error({ issues: checked.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'handler result breaks the contract');
        throw new AppError(500, 'invalid_result', 'the model produced a result that does not fit the task contract');
      }
      const { value, truncated } = truncateTextFields(checked.data, cfg.MAX_RESPONSE_CHARS);
      // The upload and the in-flight slot stay until the outcome is committed (releaseJob, on BullMQ's
      // completed/failed events): a worker that dies before that leaves a job another can still run.
      if (data.cacheKey) await cache.set(task, data.cacheKey, value);
      await faults.dieAt('handled');
      deps.onOutcome?.({ task, requestId: data.requestId, ok: true, final: true, durationMs: Date.now() - t0, queueWaitMs, reports, truncated, result: value });
      log.info({ duration_ms: Date.now() - t0, queue_wait_ms: queueWaitMs }, 'job completed');
      return value;
    } catch (err) {
      // Not finished: the job waits, without a worker slot, for the child it handed work to (chain.ts).
      if (err instanceof WaitingChildrenError) {
        log.info({ child: (job.data as JobData).chain?.child }, 'job waits for its chained job');
        throw err;
      }
      // The store failed, not the job (Redis full, restarting, unreachable): it runs again shortly,
      // without spending an attempt. (If even this move fails, the lapsed lock brings the job back.)
      if (isStoreError(err) && token) {
        log.warn({ err: (err as Error).message.slice(0, 200), retry_ms: STORE_RETRY_MS }, 'job put back: the store failed');
        deps.onOutcome?.({ task: data?.task ?? 'unknown', requestId: data?.requestId ?? '', ok: false, code: 'redis_unavailable', final: false, durationMs: Date.now() - t0, queueWaitMs, reports });
        await job.moveToDelayed(Date.now() + STORE_RETRY_MS * (0.5 + Math.random()), token);
        throw new DelayedError();
      }
      if (err instanceof NotServedHere && token) {
        log.warn({ retry_ms: NOT_SERVED_RETRY_MS }, "job put back: this worker lacks the task's models");
        await job.moveToDelayed(Date.now() + NOT_SERVED_RETRY_MS * (0.5 + Math.random()), token);
        throw new DelayedError();
      }
      if (signal.aborted && signal.reason === HAND_BACK_REASON && token) {
        // Not a failure: the job goes back to wait for another worker, its upload and in-flight slot kept.
        await job.moveToWait(token);
        log.info('job handed back to the queue: the worker is shutting down');
        throw new WaitingError();
      }
      const { error: bull, failure } = toBullError(err);
      const final = !failure.retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!(err instanceof AppError)) log.error({ err: (err as Error)?.message?.slice(0, 500) }, 'job failed with an unexpected error');
      else log.warn({ code: failure.code, final }, 'job failed');
      deps.onOutcome?.({ task: data?.task ?? 'unknown', requestId: data?.requestId ?? '', ok: false, code: failure.code, final, durationMs: Date.now() - t0, queueWaitMs, reports });
      throw bull;
    }
  };
  return { processJob, releaseJob };

  /**
   * After a job's outcome is committed (completed, or failed for good): delete its upload and free its
   * in-flight slot. Run from the worker's completed/failed events, never before: a worker killed
   * between the delete and the commit would leave a retried job without its upload.
   */
  async function releaseJob(job: Job): Promise<void> {
    await faults.dieAt('committed');
    const parsed = JobDataSchema.safeParse(job.data);
    if (!parsed.success) return;
    const { blob, inflightKey, task } = parsed.data;
    await Promise.all([redis.del(k.cancelRequested(job.id!), ...(blob ? [blob.key] : [])), inflightKey && cache.releaseInflight(task, inflightKey, job.id!)]);
  }

  /**
   * The run's outcome, or a rejection as soon as the job is handed back: the job goes back to wait at
   * once, while the model call already running finishes in the thread (its result is dropped).
   */
  function untilHandedBack<T>(done: Promise<T>, signal: AbortSignal): Promise<T> {
    const handedBack = () => signal.aborted && signal.reason === HAND_BACK_REASON;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!handedBack()) return;
        done.catch(() => undefined);
        reject(cancelledError());
      };
      if (handedBack()) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      done.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** The upload's bytes (decoded in the inference thread, off the main event loop). */
  async function loadUpload(input: (typeof TASKS)[TaskName]['input'], data: JobData): Promise<RunRequest['upload']> {
    if (input.kind !== 'upload') return undefined;
    if (!data.blob) throw unrecoverable(422, 'invalid_job', 'the job has no upload');
    const bytes = await redis.getBuffer(data.blob.key);
    if (!bytes) throw unrecoverable(410, 'upload_expired', 'the uploaded file is no longer available');
    return new Uint8Array(bytes);
  }
}
