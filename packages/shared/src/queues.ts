/**
 * Queue names, job ids, Redis key names and default job options: everything the API and the workers
 * must spell the same way. Names carry a hash-tag prefix (`{ca}` by default) so every key of the service
 * hashes to one slot and the same code runs on Redis Cluster.
 */
import { createHash, randomFillSync } from 'node:crypto';
import type { DefaultJobOptions } from 'bullmq';
import { z } from 'zod';
import { ALL_DOMAINS, type Config, type Domain } from './config.js';
import { AppError, isAppError } from './errors.js';
import { isErrorCode, type ErrorCode } from './error-codes.js';

export const QUEUE_NAMES: Record<Domain, string> = { nlp: 'nlp', vision: 'vision', audio: 'audio' };

/**
 * Each domain has two queues, its lanes: `live` for calls and jobs, `batch` for batch items. A worker
 * takes batch items in a slot of their own (WORKER_BATCH_CONCURRENCY), so a live job never waits for a
 * free slot behind them, and its model calls go before theirs (apps/worker/src/inference/turns.ts).
 */
export type Lane = 'live' | 'batch';
export type QueueName = Domain | `${Domain}-batch`;
export const queueName = (d: Domain, lane: Lane = 'live'): QueueName => (lane === 'live' ? d : `${d}-batch`);
export const ALL_QUEUES: readonly QueueName[] = ALL_DOMAINS.flatMap((d) => [queueName(d), queueName(d, 'batch')]);
export const domainOfQueue = (q: QueueName): Domain => q.replace(/-batch$/, '') as Domain;
export const laneOfQueue = (q: QueueName): Lane => (q.endsWith('-batch') ? 'batch' : 'live');

/** Webhook deliveries: their own queue, consumed by the API processes (apps/api/src/webhooks/). */
export const WEBHOOK_QUEUE = 'webhooks';

/** Events a webhook may be sent for (`failed` includes a cancelled job). */
export const WEBHOOK_EVENTS = ['completed', 'failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Where and for what to call back, as a submit asked (stored in the job, for redelivery). */
export const WebhookSpecSchema = z.object({ url: z.string().max(2048), events: z.array(z.enum(WEBHOOK_EVENTS)).min(1) });
export type WebhookSpec = z.infer<typeof WebhookSpecSchema>;

/** A delivery job's data: the job to report on, and to whom. */
export interface WebhookData extends WebhookSpec {
  jobId: string;
  owner?: string;
}

/** The delivery job of a job's webhook (a redelivery gets a suffix). */
export const deliveryJobId = (jobId: string, n = 0) => `wh_${jobId}${n ? `_r${n}` : ''}`;

/** Random, unguessable job id that also says which queue holds the job (its domain, and lane). */
export function newJobId(domain: Domain, lane: Lane = 'live'): string {
  return `${queueName(domain, lane)}_${random16()}`;
}

// 16 random bytes per id, drawn from a pool filled 256 ids at a time (as crypto.randomUUID does): one
// call into the CSPRNG per 256 submits instead of one per submit.
const POOL = Buffer.allocUnsafe(16 * 256);
let drawn = POOL.length;
function random16(): string {
  if (drawn === POOL.length) {
    randomFillSync(POOL);
    drawn = 0;
  }
  drawn += 16;
  return POOL.toString('base64url', drawn - 16, drawn);
}

/**
 * The id of the child job a parent hands `task` to: derived, so a parent that runs again after a crash
 * finds its child instead of adding a second one (BullMQ ignores an add whose id exists).
 */
export function childJobId(parentId: string, task: string, domain: Domain, lane: Lane = 'live'): string {
  return `${queueName(domain, lane)}_${createHash('sha256').update(`${parentId}:${task}`).digest('base64url').slice(0, 22)}`;
}

const JOB_ID = /^(nlp|vision|audio)(-batch)?_[A-Za-z0-9_-]{22}$/;

/** The queue of a job id, or undefined if the string is not one of ours. */
export function queueOfJobId(id: string): QueueName | undefined {
  if (!JOB_ID.test(id)) return undefined;
  return id.slice(0, id.indexOf('_')) as QueueName;
}

/** The domain of a job id, or undefined if the string is not one of ours. */
export function domainOfJobId(id: string): Domain | undefined {
  const q = queueOfJobId(id);
  return q && domainOfQueue(q);
}

const keysOf = (prefix: string) => ({
  blob: (jobId: string) => `${prefix}:blob:${jobId}`,
  cancelled: (jobId: string) => `${prefix}:cancelled:${jobId}`,
  cancelChannel: `${prefix}:cancel`,
  /** Set with the cancel message: a worker that took the job just before the message still sees it. */
  cancelRequested: (jobId: string) => `${prefix}:cancel-requested:${jobId}`,
  workers: `${prefix}:workers`,
  worker: (id: string) => `${prefix}:worker:${id}`,
  cache: (task: string, hash: string) => `${prefix}:cache:${task}:${hash}`,
  inflight: (task: string, hash: string) => `${prefix}:inflight:${task}:${hash}`,
  /** A token bucket (a string since the hash of `rl:` keys, which a rolling upgrade must not read). */
  rateLimit: (bucket: string) => `${prefix}:bucket:${bucket}`,
  idempotency: (owner: string, key: string) => `${prefix}:idem:${owner}:${key}`,
  events: `${prefix}:events`,
  fault: `${prefix}:fault`,
  faultKill: `${prefix}:fault:kill`,
  deliveries: (jobId: string) => `${prefix}:deliveries:${jobId}`,
  /** The jobs of one API key (or `open`), scored by creation time: GET /jobs. */
  jobsOf: (owner: string) => `${prefix}:jobs-of:${owner}`,
});
export type Keys = ReturnType<typeof keysOf>;
const KEYS = new Map<string, Keys>();
/** The Redis key names under `prefix`; one object per prefix, built once (hot paths call this per request). */
export function keys(prefix: string): Keys {
  let k = KEYS.get(prefix);
  if (!k) KEYS.set(prefix, (k = keysOf(prefix)));
  return k;
}

export function defaultJobOptions(cfg: Config): DefaultJobOptions {
  return {
    attempts: cfg.JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: cfg.JOB_BACKOFF_MS, jitter: 0.5 },
    // Age and count: the count is what bounds memory when jobs come faster than RESULT_TTL_S clears them.
    removeOnComplete: { age: cfg.RESULT_TTL_S, count: cfg.RESULT_KEEP_JOBS },
    removeOnFail: { age: cfg.RESULT_TTL_S, count: cfg.RESULT_KEEP_JOBS },
  };
}

/** Retries of a delivery job: exponential with jitter over hours (README "Webhooks" gives the schedule). */
export function deliveryJobOptions(cfg: Config): DefaultJobOptions {
  const { WEBHOOK_ATTEMPTS: attempts, WEBHOOK_BACKOFF_MS: delay, RESULT_TTL_S: age, RESULT_KEEP_JOBS: count } = cfg;
  return { attempts, backoff: { type: 'exponential', delay, jitter: 0.5 }, removeOnComplete: { age, count }, removeOnFail: { age, count } };
}

/** What travels in a BullMQ job. The worker parses it again: nothing read from Redis is trusted. */
export const JobDataSchema = z.object({
  v: z.literal(1),
  task: z.string(),
  input: z.unknown(),
  /** Uploads live under their own key (never in job data: Bull Board and logs must not show them). */
  blob: z.object({ key: z.string(), mime: z.string(), bytes: z.number().int().min(0) }).optional(),
  requestId: z.string().max(128),
  owner: z.string().max(128).optional(),
  createdAt: z.number(),
  deadline: z.number(),
  cacheKey: z.string().optional(),
  /** The in-flight slot this job owns (identical requests wait on it); released when the job ends. */
  inflightKey: z.string().optional(),
  /** The webhook its submit asked for (its delivery job is this job's parent). */
  webhook: WebhookSpecSchema.optional(),
  /**
   * Set when the handler handed the rest of the work to another task (a child job, see the worker's
   * chain.ts): what it had done so far, so a run after a crash or the child's completion does not redo it.
   */
  chain: z
    .object({
      task: z.string(),
      input: z.unknown(),
      child: z.string(),
      /** The parent's result so far, and which of its fields come from which field of the child's result. */
      partial: z.record(z.string(), z.unknown()),
      merge: z.record(z.string(), z.string()),
    })
    .optional(),
});
export type JobData = z.infer<typeof JobDataSchema>;

/** The envelope of a new job (a submit, a chained child, a batch item); the caller adds what it owns. */
export function newJobData(task: string, input: unknown, o: { requestId: string; owner?: string | undefined; createdAt: number; deadline: number }): JobData {
  return { v: 1, task, input, requestId: o.requestId, createdAt: o.createdAt, deadline: o.deadline, ...(o.owner ? { owner: o.owner } : {}) };
}

/** A failure as stored in BullMQ's failedReason: JSON so the API can answer with the same code. */
export interface JobFailure {
  status: number;
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** A failure with whether retrying may help: what crosses a thread or a job boundary. */
export type WireFailure = JobFailure & { retryable: boolean };

/** Any error as a failure a client may see: an AppError's own fields, anything else a generic 500. */
export function failureOf(err: unknown): WireFailure {
  if (isAppError(err)) return { ...err.toJSON(), retryable: err.retryable };
  return { status: 500, code: 'inference_failed', message: 'the model failed to process this input', retryable: true };
}

/** The AppError for a failure read back from a job or a thread (retryable: as given, else by status). */
export function errorOf(f: JobFailure & { retryable?: boolean }): AppError {
  return new AppError(f.status, f.code, f.message, { ...(f.details ? { details: f.details } : {}), ...(f.retryable === undefined ? {} : { retryable: f.retryable }) });
}

export function parseFailure(reason: string | undefined): JobFailure {
  if (reason) {
    try {
      const v = JSON.parse(reason) as Partial<JobFailure>;
      // A code this version does not know (a job failed by another version) reads as a generic failure.
      if (typeof v.code === 'string' && typeof v.status === 'number' && typeof v.message === 'string') return isErrorCode(v.code) ? (v as JobFailure) : { ...(v as JobFailure), code: 'inference_failed' };
    } catch {
      /* a plain-text reason: not one of ours (e.g. a stalled job) */
    }
  }
  if (reason && /stalled/i.test(reason)) return { status: 500, code: 'job_stalled', message: 'the worker running this job stopped' };
  return { status: 500, code: 'inference_failed', message: 'the job failed' };
}
