/**
 * Submitting, awaiting, reading and cancelling jobs. Used by the API and by workers that chain tasks.
 *
 * Waiting: one QueueEvents stream per domain and a map of pending job ids (DESIGN §8: a listener per
 * waiting request, as `job.waitUntilFinished` adds, does not scale). After registering, the job's
 * state is read once, so a job that finished before we listened is not missed.
 */
import { FlowProducer, Job, Queue, QueueEvents, type JobState } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError, cancelledError, isAppError, redisUnavailable } from './errors.js';
import type { Config, Domain } from './config.js';
import { redisOptions } from './redis.js';
import { within } from './within.js';
import { ResponseCache } from './cache.js';
import { Admission } from './admission.js';
import {
  defaultJobOptions,
  deliveryJobId,
  deliveryJobOptions,
  ALL_QUEUES,
  domainOfJobId,
  queueOfJobId,
  type QueueName,
  keys,
  newJobId,
  newJobData,
  parseFailure,
  QUEUE_NAMES,
  WEBHOOK_QUEUE,
  type JobData,
  type JobFailure,
  type WebhookData,
  type WebhookSpec,
} from './queues.js';
import { TASKS, type TaskName } from './tasks/index.js';

export const JOB_STATUSES = ['queued', 'active', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobView {
  id: string;
  task: string;
  status: JobStatus;
  result?: unknown;
  error?: { code: string; message: string; details?: Record<string, unknown> };
  created_at: string;
  started_at?: string;
  finished_at?: string;
  attempts: number;
}

export type WaitOutcome =
  | { state: 'completed'; result: unknown }
  | { state: 'failed'; failure: JobFailure }
  | { state: 'timeout' };

export interface SubmitOptions {
  requestId: string;
  owner?: string;
  upload?: { bytes: Buffer; mime: string };
  cacheKey?: string;
  inflightKey?: string;
  /** Use this id (in-flight sharing and idempotency decide ids before submitting). */
  jobId?: string;
  /** Call this URL back when the job has finished (its address already checked by the caller). */
  webhook?: WebhookSpec;
}

/** What happens to a job, as its domain's event stream tells it (GET /jobs/{id}/events). */
export type JobEvent =
  | { type: 'queued' }
  | { type: 'active' }
  | { type: 'progress'; data: unknown }
  | { type: 'completed'; result: unknown }
  | { type: 'failed'; failure: JobFailure }
  | { type: 'removed' };

interface Pending {
  resolve: (o: WaitOutcome) => void;
  waiters: number;
}

export class JobClient {
  /** Every queue: each domain's live and batch lanes (queues.ts). */
  readonly queues: Record<QueueName, Queue>;
  /** Webhook deliveries (consumed by the API processes: apps/api/src/webhooks/deliver.ts). */
  readonly webhooks: Queue<WebhookData>;
  private readonly flows: FlowProducer;
  private readonly events = new Map<QueueName, Promise<QueueEvents>>();
  private readonly pending = new Map<string, Pending>();
  private readonly watchers = new Map<string, Set<(e: JobEvent, streamId: string) => void>>();
  /** Resolved by stopWaiting(): every wait, current or later, ends as a timeout (the caller answers 202). */
  private stopped!: () => void;
  private readonly stopping = new Promise<void>((resolve) => (this.stopped = resolve));
  private readonly k;
  /** In-flight slots only (the response cache itself is the API's and the workers'). */
  private readonly inflight: ResponseCache;
  private readonly admission: Admission;

  /**
   * `fast`: a connection with ioredis auto-pipelining for this client's own commands around each submit
   * (admission, the owner's list): the commands of concurrent submits go out in one write. BullMQ keeps
   * `redis` (its MULTI sequences are not written for a connection that defers commands to the next turn).
   */
  constructor(
    private readonly cfg: Config,
    private readonly redis: Redis,
    private readonly fast: Redis = redis,
  ) {
    this.k = keys(cfg.QUEUE_PREFIX);
    this.inflight = new ResponseCache(fast, cfg.QUEUE_PREFIX, 0);
    this.admission = new Admission(fast, cfg.QUEUE_PREFIX);
    const opts = { connection: redis, prefix: cfg.QUEUE_PREFIX, defaultJobOptions: defaultJobOptions(cfg) };
    this.queues = Object.fromEntries(ALL_QUEUES.map((q) => [q, new Queue(q, opts)])) as Record<QueueName, Queue>;
    this.webhooks = new Queue(WEBHOOK_QUEUE, { ...opts, defaultJobOptions: deliveryJobOptions(cfg) });
    this.flows = new FlowProducer({ connection: redis, prefix: cfg.QUEUE_PREFIX });
  }

  /**
   * BullMQ queues wait for their connection to come back rather than fail; a request must not hang on
   * that, so every entry point checks the connection first and answers 503 at once.
   */
  private ensureRedis(): void {
    if (this.redis.status !== 'ready') throw redisUnavailable();
  }

  newId(task: TaskName): string {
    return newJobId(TASKS[task].domain);
  }

  async submit(task: TaskName, input: unknown, o: SubmitOptions): Promise<string> {
    this.ensureRedis();
    const domain = TASKS[task].domain;
    const queue = this.queues[domain];
    const id = o.jobId ?? newJobId(domain);
    if (!(await this.admission.admit(queue, this.cfg.MAX_QUEUED_JOBS, id))) throw this.queueFull(domain);
    const now = Date.now();
    const data: JobData = {
      ...newJobData(task, input, { requestId: o.requestId, owner: o.owner, createdAt: now, deadline: now + this.cfg.JOB_DEADLINE_S * 1000 }),
      ...(o.cacheKey ? { cacheKey: o.cacheKey } : {}),
      ...(o.inflightKey ? { inflightKey: o.inflightKey } : {}),
    };
    try {
      if (o.upload) {
        const key = this.k.blob(id);
        // The upload outlives the job's deadline a little, so a retry can still read it.
        await this.redis.set(key, o.upload.bytes, 'EX', this.cfg.JOB_DEADLINE_S + 60);
        data.blob = { key, mime: o.upload.mime, bytes: o.upload.bytes.length };
      }
      if (o.webhook) {
        // One flow, added atomically: the delivery job waits for the job as its child, and BullMQ starts
        // it when the job has completed or failed for good (ignoreDependencyOnFailure).
        data.webhook = o.webhook;
        const delivery: WebhookData = { jobId: id, ...o.webhook, ...(o.owner ? { owner: o.owner } : {}) };
        await this.flows.add({
          name: 'deliver',
          queueName: WEBHOOK_QUEUE,
          data: delivery,
          opts: { jobId: deliveryJobId(id), ...deliveryJobOptions(this.cfg) },
          children: [{ name: task, queueName: QUEUE_NAMES[domain], data, opts: { ...defaultJobOptions(this.cfg), jobId: id, timestamp: now, ignoreDependencyOnFailure: true } }],
        });
      } else await queue.add(task, data, { jobId: id, timestamp: now }); // created_at = the list's order (index)
    } catch (e) {
      // Not enqueued: the upload must not linger (best effort; its TTL ends it otherwise).
      if (o.upload) await this.redis.del(this.k.blob(id)).catch(() => undefined);
      throw e;
    } finally {
      await this.admission.done(queue, id).catch(() => undefined);
    }
    await this.index(id, now, o.owner).catch(() => undefined); // the job exists: a missing entry only hides it from GET /jobs
    return id;
  }

  /** Record the job in its owner's list, dropping entries past the retention. */
  private async index(id: string, createdAt: number, owner?: string): Promise<void> {
    const key = this.k.jobsOf(owner ?? 'open');
    const ttl = this.cfg.RESULT_TTL_S;
    // Three commands, not a pipeline(): on the auto-pipelined connection they share one write with the
    // other requests' commands of this turn, where a pipeline() is a write of its own.
    await Promise.all([this.fast.zadd(key, createdAt, id), this.fast.zremrangebyscore(key, '-inf', Date.now() - ttl * 1000), this.fast.expire(key, ttl)]);
  }

  /**
   * The caller's jobs, newest first, optionally of one task and status: a page of at most `limit`, and
   * the cursor of the next page. Entries are read in steps and filtered, at most 10 × limit of them per
   * page (a page may come back short with a cursor when a filter matches few). Jobs past the retention
   * are gone from the list.
   */
  async list(owner: string | undefined, q: { task?: string; status?: JobStatus; limit: number; cursor?: string }): Promise<{ jobs: JobView[]; next_cursor?: string }> {
    this.ensureRedis();
    const key = this.k.jobsOf(owner ?? 'open');
    let cut = q.cursor ? decodeCursor(q.cursor) : undefined;
    const jobs: JobView[] = [];
    let scanned = 0;
    let exhausted = false;
    while (jobs.length < q.limit && scanned < q.limit * 10 && !exhausted) {
      const start = cut ? await this.rankAfter(key, cut) : 0;
      const size = q.limit * 2 + 1;
      const batch = await this.redis.zrevrange(key, start, start + size - 1, 'WITHSCORES');
      exhausted = batch.length < size * 2;
      for (let i = 0; i < batch.length && jobs.length < q.limit; i += 2) {
        const id = batch[i]!;
        cut = { score: Number(batch[i + 1]), id };
        scanned++;
        const v = await this.view(id, owner).catch(() => undefined);
        if (!v) {
          await this.redis.zrem(key, id); // past its retention
          continue;
        }
        if ((q.task && v.task !== q.task) || (q.status && v.status !== q.status)) continue;
        jobs.push(v);
      }
    }
    const more = cut !== undefined && (await this.rankAfter(key, cut)) < (await this.redis.zcard(key));
    return { jobs, ...(more ? { next_cursor: encodeCursor(cut!) } : {}) };
  }

  /**
   * The rank (newest first) just after `cut`: entries strictly newer, plus those of the same millisecond
   * that sort before it (ZREVRANGE orders equal scores by id, descending).
   */
  private async rankAfter(key: string, cut: { score: number; id: string }): Promise<number> {
    const newer = await this.redis.zcount(key, `(${cut.score}`, '+inf');
    const same = await this.redis.zrangebyscore(key, cut.score, cut.score);
    return newer + same.filter((id) => id >= cut.id).length;
  }

  private queueFull(domain: Domain): AppError {
    return new AppError(503, 'queue_full', `the ${domain} queue is full; try again later`, {
      details: { domain, limit: this.cfg.MAX_QUEUED_JOBS },
      headers: { 'Retry-After': '5' },
    });
  }

  /** 503 queue_full at once when the domain's queue is at its limit (an early check: submit() decides). */
  async assertRoom(domain: Domain): Promise<void> {
    this.ensureRedis();
    if (await this.admission.full(this.queues[domain], this.cfg.MAX_QUEUED_JOBS)) throw this.queueFull(domain);
  }

  private queueEvents(queue: QueueName): Promise<QueueEvents> {
    let p = this.events.get(queue);
    if (!p) {
      p = this.startQueueEvents(queue);
      this.events.set(queue, p);
      p.catch(() => this.events.delete(queue));
    }
    return p;
  }

  /**
   * QueueEvents reads its stream from `$` by default, but only from its first XREAD, which runs some time
   * after it says it is ready: a job finishing in that gap would never be heard of. So it starts from the
   * stream's last id as read now, before any caller checks a job's state.
   */
  private async startQueueEvents(queue: QueueName): Promise<QueueEvents> {
    const lastEventId = await this.lastEventId(queue);
    const qe = new QueueEvents(queue, {
      // Options, not a connection: QueueEvents duplicates a connection it is given and never closes the
      // original; from options it makes one and closes it with itself.
      connection: { url: this.cfg.REDIS_URL, ...redisOptions({ blocking: true, name: `ca-events-${queue}` }) },
      prefix: this.cfg.QUEUE_PREFIX,
      lastEventId,
    });
    // Live events and a replay from the stream (eventsSince) read the same fields: one mapping.
    for (const name of STREAM_EVENTS) {
      qe.on(name, (args: Record<string, unknown>, id: string) => {
        const event = toJobEvent({ ...args, event: name });
        if (!event) return;
        if (event.type === 'completed') this.settle(String(args.jobId), { state: 'completed', result: event.result });
        if (event.type === 'failed') this.settle(String(args.jobId), { state: 'failed', failure: event.failure });
        this.tell(String(args.jobId), event, id);
      });
    }
    qe.on('error', () => {
      /* reconnects on its own; waiting callers fall back to their timeout */
    });
    await qe.waitUntilReady();
    return qe;
  }

  private tell(jobId: string, e: JobEvent, streamId: string): void {
    for (const fn of this.watchers.get(jobId) ?? []) fn(e, streamId);
  }

  /** The id of the newest entry of a queue's event stream ('0-0' when empty). */
  async lastEventId(queue: QueueName): Promise<string> {
    const [last] = await this.redis.xrevrange(this.queues[queue].keys.events!, '+', '-', 'COUNT', 1);
    return last?.[0] ?? '0-0';
  }

  /** A job's events after `streamId`, from its domain's stream (bounded by the stream's length). */
  async eventsSince(jobId: string, streamId: string): Promise<{ id: string; event: JobEvent }[]> {
    const queue = queueOfJobId(jobId);
    if (!queue) return [];
    const entries = await this.redis.xrange(this.queues[queue].keys.events!, `(${streamId}`, '+');
    const out: { id: string; event: JobEvent }[] = [];
    for (const [id, flat] of entries) {
      const f: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      if (f.jobId !== jobId) continue;
      const event = toJobEvent(f);
      if (event) out.push({ id, event });
    }
    return out;
  }

  /**
   * Follow a job's events (from its domain's stream, heard from now on): returns the unsubscribe. The
   * caller reads the job's state after subscribing, so nothing between the two is missed.
   */
  async watch(jobId: string, fn: (e: JobEvent, streamId: string) => void): Promise<() => void> {
    const queue = queueOfJobId(jobId);
    if (!queue) throw this.notFound(jobId);
    this.ensureRedis();
    await this.queueEvents(queue);
    const set = this.watchers.get(jobId) ?? new Set();
    set.add(fn);
    this.watchers.set(jobId, set);
    return () => {
      set.delete(fn);
      if (!set.size) this.watchers.delete(jobId);
    };
  }

  private settle(jobId: string, o: WaitOutcome): void {
    const p = this.pending.get(jobId);
    if (p) {
      this.pending.delete(jobId);
      p.resolve(o);
    }
  }

  /** Wait for a job to finish, up to `timeoutMs`. Concurrent waiters on one job share one entry. */
  /**
   * The job's outcome, or `timeout` after `timeoutMs`. With `submit` (which adds the job), the wait is
   * in place before the job exists, so its end cannot be missed and its state need not be read; without
   * it (a job added earlier: a shared or replayed one), the state is read once after listening.
   */
  async wait(jobId: string, timeoutMs: number, submit?: () => Promise<unknown>): Promise<WaitOutcome> {
    const queue = queueOfJobId(jobId);
    if (!queue) throw new AppError(404, 'job_not_found', 'no such job');
    this.ensureRedis();
    await this.queueEvents(queue);
    let entry = this.pending.get(jobId);
    let outcome: Promise<WaitOutcome>;
    if (entry) {
      entry.waiters++;
      outcome = new Promise((resolve) => {
        const prev = entry!.resolve;
        entry!.resolve = (o) => {
          prev(o);
          resolve(o);
        };
      });
      await submit?.();
    } else {
      outcome = new Promise((resolve) => {
        entry = { resolve, waiters: 1 };
        this.pending.set(jobId, entry);
      });
      if (submit) {
        try {
          await submit();
        } catch (e) {
          if (this.pending.get(jobId) === entry) this.pending.delete(jobId);
          throw e;
        }
      } else {
        // Finished before we listened? (State first: a job read before its state could lack its result.)
        const state = await this.queues[queue].getJobState(jobId);
        if (state === 'completed' || state === 'failed') {
          const job = await Job.fromId(this.queues[queue], jobId);
          if (job && state === 'completed') this.settle(jobId, { state: 'completed', result: job.returnvalue });
          else if (job) this.settle(jobId, { state: 'failed', failure: parseFailure(job.failedReason) });
        }
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<WaitOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ state: 'timeout' }), timeoutMs);
    });
    try {
      return await Promise.race([outcome, timeout, this.stopping.then(() => ({ state: 'timeout' }) as const)]);
    } finally {
      clearTimeout(timer);
      const e = this.pending.get(jobId);
      if (e && --e.waiters <= 0) this.pending.delete(jobId);
    }
  }

  async getJob(id: string): Promise<Job<JobData> | undefined> {
    const queue = queueOfJobId(id);
    if (!queue) return undefined;
    this.ensureRedis();
    return (await Job.fromId<JobData>(this.queues[queue], id)) ?? undefined;
  }

  /**
   * The job and its state, or undefined for unknown ids and jobs of another API key. State first, then
   * the job: read the other way round, a job finishing in between would read as completed without its
   * result.
   */
  private async read(id: string, owner?: string): Promise<{ job: Job<JobData>; state: JobState } | undefined> {
    const queue = queueOfJobId(id);
    if (!queue) return undefined;
    this.ensureRedis();
    const state = await this.queues[queue].getJobState(id);
    if (state === 'unknown') return undefined;
    const job = await Job.fromId<JobData>(this.queues[queue], id);
    if (!job || (job.data.owner ?? undefined) !== (owner ?? undefined)) return undefined;
    return { job, state };
  }

  /** What is left of a queued job cancelled (and so removed) earlier, for its owner. */
  private async tombstone(id: string, owner?: string): Promise<JobView | undefined> {
    const raw = await this.redis.get(this.k.cancelled(id));
    const t = raw ? (JSON.parse(raw) as { owner?: string; view: JobView }) : undefined;
    return t && t.owner === owner ? t.view : undefined;
  }

  private toView(id: string, { job, state }: { job: Job<JobData>; state: JobState }): JobView {
    const base = {
      id,
      task: job.data.task,
      created_at: new Date(job.timestamp).toISOString(),
      ...(job.processedOn ? { started_at: new Date(job.processedOn).toISOString() } : {}),
      ...(job.finishedOn ? { finished_at: new Date(job.finishedOn).toISOString() } : {}),
      attempts: job.attemptsMade,
    };
    if (state === 'completed') return { ...base, status: 'completed', result: job.returnvalue };
    if (state === 'failed') {
      const f = parseFailure(job.failedReason);
      if (f.code === 'cancelled') return { ...base, status: 'cancelled' };
      return { ...base, status: 'failed', error: { code: f.code, message: f.message, ...(f.details ? { details: f.details } : {}) } };
    }
    // A parent waiting for the child it handed work to is in progress, as far as its caller can tell.
    return { ...base, status: state === 'active' || state === 'waiting-children' ? 'active' : 'queued' };
  }

  private notFound(id: string): AppError {
    return new AppError(404, 'job_not_found', 'no such job', { details: { id: id.slice(0, 64) } });
  }

  /** Whether the job exists (or existed and was cancelled), for its owner. */
  async exists(id: string, owner?: string): Promise<boolean> {
    return (await this.read(id, owner)) !== undefined || (await this.tombstone(id, owner)) !== undefined;
  }

  /** The public view of a job; 404 for unknown ids and for jobs of another API key. */
  async view(id: string, owner?: string): Promise<JobView> {
    const found = await this.read(id, owner);
    if (found) return this.toView(id, found);
    const gone = await this.tombstone(id, owner);
    if (gone) return gone;
    throw this.notFound(id);
  }

  /**
   * Cancel a job that has not finished. A queued job is removed at once; an active one is signalled
   * (every worker listens on the cancel channel and aborts it between model calls).
   */
  async cancel(id: string, owner?: string): Promise<JobView> {
    const found = await this.read(id, owner);
    const v = found ? this.toView(id, found) : await this.tombstone(id, owner);
    if (!v) throw this.notFound(id);
    if (!found || v.status === 'completed' || v.status === 'failed' || v.status === 'cancelled') {
      throw new AppError(409, 'job_finished', `job is already ${v.status}`, { details: { status: v.status } });
    }
    const { job } = found;
    if (v.status === 'queued') {
      // The tombstone first: removing a job with a webhook starts its delivery, which must find it.
      const view: JobView = { ...v, status: 'cancelled', finished_at: new Date().toISOString() };
      await this.redis.set(this.k.cancelled(id), JSON.stringify({ owner, view }), 'EX', this.cfg.RESULT_TTL_S);
      try {
        await job.remove();
        if (job.data.blob) await this.redis.del(job.data.blob.key);
        // Identical requests must not wait on a job that is gone.
        if (job.data.inflightKey) await this.inflight.releaseInflight(job.data.task, job.data.inflightKey, id);
        this.settle(id, { state: 'failed', failure: cancelledError().toJSON() });
        return view;
      } catch {
        // Taken by a worker between our read and the remove: cancel it as an active job.
        await this.redis.del(this.k.cancelled(id));
      }
    }
    // The message reaches a worker that is running the job; the key, one that has taken it from the
    // queue but not started it yet (it was not listening for this job when the message went out), or
    // a parent that runs again when its child ends.
    await this.redis.set(this.k.cancelRequested(id), '1', 'EX', this.cfg.JOB_DEADLINE_S);
    await this.redis.publish(this.k.cancelChannel, id);
    // A parent waiting for its child: cancelling the child brings the parent back, to end as cancelled.
    const child = found.state === 'waiting-children' ? job.data.chain?.child : undefined;
    if (child) await this.cancel(child, owner).catch((e: unknown) => (isAppError(e) && e.status < 500 ? undefined : Promise.reject(e)));
    return { ...v, status: 'active' };
  }

  /** Deliver a finished job's webhook once more (a new delivery job with the same message id). */
  async redeliver(id: string, owner?: string): Promise<string> {
    const found = await this.read(id, owner);
    if (!found) throw this.notFound(id);
    const { job } = found;
    const view = this.toView(id, found);
    if (!job.data.webhook) throw new AppError(409, 'no_webhook', 'this job was submitted without a webhook');
    if (view.status === 'queued' || view.status === 'active') throw new AppError(409, 'job_not_finished', 'the job has not finished yet', { details: { status: view.status } });
    const delivery = deliveryJobId(id, Date.now());
    await this.webhooks.add('deliver', { jobId: id, ...job.data.webhook, ...(owner ? { owner } : {}) }, { jobId: delivery });
    return delivery;
  }

  /**
   * For a process that is shutting down: synchronous callers stop waiting and get their job's link
   * (202) at once; the jobs themselves go on. A job that has already finished still answers with its result.
   */
  stopWaiting(): void {
    this.stopped();
  }

  async close(): Promise<void> {
    const evs = await Promise.allSettled([...this.events.values()]);
    await Promise.allSettled(evs.map((r) => (r.status === 'fulfilled' ? r.value.close().then(() => r.value.disconnect()) : undefined)));
    await Promise.allSettled([...Object.values(this.queues), this.webhooks, this.flows].map(closeWhenReady));
  }
}

/**
 * Close a BullMQ queue or flow producer once its connection set-up has finished: closed during it, its
 * set-up's late failure ("Connection is closed.", once we quit the shared connection) is emitted as an
 * 'error' with no listener left, an unhandled rejection (BullMQ 5.81 RedisConnection.close).
 */
export async function closeWhenReady(q: { waitUntilReady(): Promise<unknown>; close(): Promise<void> }): Promise<void> {
  // Bounded: with Redis unreachable the set-up may never finish, and a shutdown must not wait on it.
  await within(q.waitUntilReady(), 2_000);
  await q.close();
}

const encodeCursor = (c: { score: number; id: string }) => Buffer.from(`${c.score}:${c.id}`).toString('base64url');

function decodeCursor(s: string): { score: number; id: string } {
  const raw = Buffer.from(s, 'base64url').toString('utf8');
  const i = raw.indexOf(':');
  const score = Number(raw.slice(0, i));
  const id = raw.slice(i + 1);
  if (i < 1 || !Number.isFinite(score) || !domainOfJobId(id)) throw new AppError(422, 'validation_error', 'cursor is not one this API gave out', { details: { field: 'cursor' } });
  return { score, id };
}

/** BullMQ's events a client is told of (toJobEvent). */
const STREAM_EVENTS = ['waiting', 'active', 'progress', 'completed', 'failed', 'removed'] as const;

/**
 * An entry of BullMQ's event stream as a JobEvent (undefined for events a client is not told): raw
 * strings from XRANGE, or QueueEvents' arguments (which it has already JSON-parsed: parseReturn keeps those).
 */
function toJobEvent(f: Record<string, unknown>): JobEvent | undefined {
  switch (f.event) {
    case 'waiting':
      return { type: 'queued' };
    case 'active':
      return { type: 'active' };
    case 'progress':
      return { type: 'progress', data: parseReturn(f.data) };
    case 'completed':
      return { type: 'completed', result: parseReturn(f.returnvalue) };
    case 'failed':
      return { type: 'failed', failure: parseFailure(f.failedReason as string | undefined) };
    case 'removed':
      return { type: 'removed' };
    default:
      return undefined;
  }
}

function parseReturn(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
