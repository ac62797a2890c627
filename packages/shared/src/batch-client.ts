/**
 * Batches: many inputs of one JSON task under one id (POST /batches/{task}). A batch is one BullMQ flow,
 * added atomically: a parent job on the webhooks queue (consumed by the API processes) whose children are
 * the items, each an ordinary job of its task with an id derived from the batch id and its index (so the
 * results can be read back in input order without storing the ids). Items run at a lower priority than
 * live calls: BullMQ takes every job without a priority first, so a draining batch does not delay live
 * traffic beyond the item already running. When every item has finished, BullMQ starts the parent, which
 * marks the batch done and sends its webhook, if it has one.
 */
import { randomBytes } from 'node:crypto';
import { FlowProducer, Job, type JobState } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError, redisUnavailable } from './errors.js';
import type { Config } from './config.js';
import { childJobId, defaultJobOptions, deliveryJobOptions, keys, newJobData, queueName, WEBHOOK_QUEUE, type WebhookSpec } from './queues.js';
import { TASKS, type TaskName } from './tasks/index.js';
import { closeWhenReady, type JobClient, type JobView } from './job-client.js';

/** The priority of batch items: on the batch lane, their model calls go after live jobs' (inference/turns.ts). */
export const BATCH_PRIORITY = 100;

/** What the batch's parent job holds. */
export interface BatchData {
  kind: 'batch';
  batchId: string;
  task: TaskName;
  total: number;
  owner?: string;
  createdAt: number;
  webhook?: WebhookSpec;
}

export interface BatchView {
  id: string;
  task: string;
  status: 'running' | 'completed' | 'cancelled';
  total: number;
  counts: { pending: number; completed: number; failed: number; cancelled: number };
  progress: number;
  created_at: string;
  finished_at?: string;
}

const BATCH_ID = /^batch_[A-Za-z0-9_-]{22}$/;
export const batchJobId = (batchId: string) => `wh_${batchId}`;
export const itemJobId = (batchId: string, task: TaskName, index: number) => childJobId(batchId, `${task}#${index}`, TASKS[task].domain, 'batch');

export class BatchClient {
  private readonly flows: FlowProducer;
  private readonly k;

  constructor(
    private readonly cfg: Config,
    private readonly redis: Redis,
    private readonly jobs: JobClient,
  ) {
    this.flows = new FlowProducer({ connection: redis, prefix: cfg.QUEUE_PREFIX });
    this.k = keys(cfg.QUEUE_PREFIX);
  }

  /** Submit every input as an item (inputs already validated against the task's contract). */
  async submit(task: TaskName, inputs: unknown[], o: { requestId: string; owner?: string; webhook?: WebhookSpec }): Promise<BatchView> {
    if (this.redis.status !== 'ready') throw redisUnavailable();
    const domain = TASKS[task].domain;
    // Items wait on the domain's batch lane: live calls never queue behind them (queues.ts).
    const queue = this.jobs.queues[queueName(domain, 'batch')];
    // The whole batch must fit under MAX_QUEUED_JOBS (checked, not reserved: a batch is one request).
    const waiting = (await queue.getJobCountByTypes('waiting', 'prioritized', 'paused')) + inputs.length;
    if (waiting > this.cfg.MAX_QUEUED_JOBS) {
      throw new AppError(503, 'queue_full', `the ${domain} batch queue has no room for ${inputs.length} more jobs; try again later`, {
        details: { domain, limit: this.cfg.MAX_QUEUED_JOBS, items: inputs.length },
        headers: { 'Retry-After': '30' },
      });
    }
    const batchId = `batch_${randomBytes(16).toString('base64url')}`;
    const now = Date.now();
    const parent: BatchData = { kind: 'batch', batchId, task, total: inputs.length, createdAt: now, ...(o.owner ? { owner: o.owner } : {}), ...(o.webhook ? { webhook: o.webhook } : {}) };
    await this.flows.add({
      name: 'batch',
      queueName: WEBHOOK_QUEUE,
      data: parent,
      opts: { jobId: batchJobId(batchId), ...deliveryJobOptions(this.cfg) },
      children: inputs.map((input, i) => {
        const data = newJobData(task, input, { requestId: `${o.requestId}#${i}`, owner: o.owner, createdAt: now, deadline: now + this.cfg.JOB_DEADLINE_S * 1000 });
        return {
          name: task,
          queueName: queueName(domain, 'batch'),
          data,
          opts: { ...defaultJobOptions(this.cfg), jobId: itemJobId(batchId, task, i), timestamp: now, priority: BATCH_PRIORITY, ignoreDependencyOnFailure: true },
        };
      }),
    });
    return { id: batchId, task, status: 'running', total: inputs.length, counts: { pending: inputs.length, completed: 0, failed: 0, cancelled: 0 }, progress: 0, created_at: new Date(now).toISOString() };
  }

  private async parent(batchId: string, owner?: string): Promise<{ job: Job<BatchData>; state: JobState | 'unknown' }> {
    const notFound = new AppError(404, 'batch_not_found', 'no such batch', { details: { id: batchId.slice(0, 64) } });
    if (!BATCH_ID.test(batchId)) throw notFound;
    const job = (await Job.fromId<BatchData>(this.jobs.webhooks as never, batchJobId(batchId))) as Job<BatchData> | undefined;
    if (!job || job.data.kind !== 'batch' || (job.data.owner ?? undefined) !== (owner ?? undefined)) throw notFound;
    return { job, state: await job.getState() };
  }

  async view(batchId: string, owner?: string): Promise<BatchView> {
    const { job, state } = await this.parent(batchId, owner);
    const d = job.data;
    // processed: completed items; ignored: failed ones (ignoreDependencyOnFailure); unprocessed: not
    // finished. An item cancelled while queued is removed from the parent's dependencies: the rest.
    const c = await job.getDependenciesCount();
    const completed = c.processed ?? 0;
    const failed = (c.failed ?? 0) + (c.ignored ?? 0);
    const pending = state === 'waiting-children' ? (c.unprocessed ?? 0) : 0;
    const cancelledItems = Math.max(0, d.total - completed - failed - pending);
    const cancelled = Boolean(await this.redis.exists(this.k.cancelled(batchId)));
    return {
      id: batchId,
      task: d.task,
      status: cancelled ? 'cancelled' : pending > 0 ? 'running' : 'completed',
      total: d.total,
      counts: { pending, completed, failed, cancelled: cancelledItems },
      progress: d.total ? Math.round(((d.total - pending) / d.total) * 1000) / 1000 : 1,
      created_at: new Date(d.createdAt).toISOString(),
      ...(job.finishedOn ? { finished_at: new Date(job.finishedOn).toISOString() } : {}),
    };
  }

  /** The items' outcomes in input order, one at a time (for a JSON Lines answer). */
  async *results(batchId: string, owner?: string): AsyncGenerator<{ index: number; id: string; status: string; result?: unknown; error?: JobView['error'] }> {
    const { job } = await this.parent(batchId, owner);
    const { task, total } = job.data;
    for (let index = 0; index < total; index++) {
      const id = itemJobId(batchId, task, index);
      const v = await this.jobs.view(id, owner).catch(() => undefined);
      if (!v) yield { index, id, status: 'expired' };
      else yield { index, id, status: v.status, ...(v.result !== undefined ? { result: v.result } : {}), ...(v.error ? { error: v.error } : {}) };
    }
  }

  /** Cancel every item not yet finished; the batch ends as cancelled once they have. */
  async cancel(batchId: string, owner?: string): Promise<BatchView> {
    const { job } = await this.parent(batchId, owner);
    await this.redis.set(this.k.cancelled(batchId), '1', 'EX', this.cfg.RESULT_TTL_S);
    for (let index = 0; index < job.data.total; index++) {
      await this.jobs.cancel(itemJobId(batchId, job.data.task, index), owner).catch(() => undefined); // finished ones answer 409
    }
    return this.view(batchId, owner);
  }

  close(): Promise<void> {
    return closeWhenReady(this.flows);
  }
}
