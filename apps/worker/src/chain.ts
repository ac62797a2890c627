/**
 * Chained work as a BullMQ flow (parent and child jobs). A handler that hands the rest of its work to
 * another task returns a Continuation (handlers/continuation.ts); its job then becomes a parent:
 *  1. the continuation is stored in the job's data, so what the handler did (a transcript) is never
 *     redone, whichever worker runs the job next;
 *  2. the child is added to its task's queue under an id derived from the parent's, so an add repeated
 *     after a crash finds the child instead of running it twice;
 *  3. the parent moves to waiting-children: it holds no worker slot and no lock while the child runs,
 *     so it can neither stall nor keep a worker from shutting down.
 * When the child completes or fails for good, BullMQ moves the parent back to wait (the child has
 * `ignoreDependencyOnFailure`, which records its failure for the parent); the parent's next run finds
 * the child's outcome here and finishes without a model call. A cancel of the parent is passed to the
 * child by the JobClient.
 */
import { Queue, WaitingChildrenError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  ALL_DOMAINS,
  AppError,
  childJobId,
  closeWhenReady,
  defaultJobOptions,
  errorOf,
  newJobData,
  parseFailure,
  QUEUE_NAMES,
  TASKS,
  type Config,
  type Domain,
  type JobData,
  type TaskName,
} from '@ca/shared';
import { mergeChild, type ContinuationData } from './handlers/continuation.js';

type Chained = JobData & { chain: NonNullable<JobData['chain']> };

export function createChains(cfg: Config, redis: Redis) {
  const opts = { connection: redis, prefix: cfg.QUEUE_PREFIX, defaultJobOptions: defaultJobOptions(cfg) };
  const queues = Object.fromEntries(ALL_DOMAINS.map((d) => [d, new Queue(QUEUE_NAMES[d], opts)])) as Record<Domain, Queue>;
  const queueOf = (task: string) => queues[TASKS[task as TaskName].domain];

  /** Make the job a parent of `next`; resolves with the final result only if the child is already done. */
  async function handOver(job: Job, token: string, data: JobData, next: ContinuationData): Promise<unknown> {
    const chained: Chained = { ...data, chain: { ...next, child: childJobId(job.id!, next.task, TASKS[next.task].domain) } };
    await job.updateData(chained);
    return resume(job, token, chained);
  }

  /**
   * The parent's result once its child has finished. Until then the child is (re-)added, which is a
   * no-op when it exists, and the parent waits: WaitingChildrenError tells BullMQ it is not finished.
   */
  async function resume(job: Job, token: string, data: Chained): Promise<unknown> {
    const { chain } = data;
    const done = await childOutcome(job, chain);
    if (done) return done.result;
    // The parent's deadline and owner: the child is part of the same request.
    const child = newJobData(chain.task, chain.input, { requestId: data.requestId, owner: data.owner, createdAt: Date.now(), deadline: data.deadline });
    await queueOf(chain.task).add(chain.task, child, {
      jobId: chain.child,
      parent: { id: job.id!, queue: job.queueQualifiedName },
      ignoreDependencyOnFailure: true,
    });
    if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
    // No pending child: it finished between our read and the move.
    const late = await childOutcome(job, chain);
    if (late) return late.result;
    throw new AppError(500, 'chain_broken', 'the chained job ended without an outcome', { retryable: true });
  }

  /** The child's result merged into the parent's, its failure thrown, or undefined while it runs. */
  async function childOutcome(job: Job, chain: Chained['chain']): Promise<{ result: unknown } | undefined> {
    const key = `${queueOf(chain.task).qualifiedName}:${chain.child}`;
    const values = await job.getChildrenValues();
    if (key in values) return { result: mergeChild(chain, values[key]) };
    const failures = await job.getIgnoredChildrenFailures();
    // The child has had its retries: its failure is the parent's, final.
    if (key in failures) throw errorOf({ ...parseFailure(failures[key]), retryable: false });
    return undefined;
  }

  const close = () => Promise.allSettled(Object.values(queues).map(closeWhenReady));
  return { handOver, resume, close };
}
export type Chains = ReturnType<typeof createChains>;
