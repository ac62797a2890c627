/**
 * Running a task for a request: check that a worker serves its domain, enqueue, and (synchronous calls)
 * await the result up to SYNC_TIMEOUT_MS, after which the caller gets the job to poll instead.
 */
import { AppError, TASKS, type JobView, type TaskName } from '@ca/shared';
import type { AppDeps } from '../context.js';
import type { ParsedTaskInput } from './validate.js';

export type SyncOutcome = { kind: 'done'; result: unknown } | { kind: 'pending'; job: JobView };

export interface RunMeta {
  requestId: string;
  owner?: string;
}

export class TaskService {
  constructor(private readonly deps: AppDeps) {}

  async submit(task: TaskName, parsed: ParsedTaskInput, meta: RunMeta): Promise<string> {
    await this.deps.workers.assertServed(TASKS[task].domain);
    return this.deps.jobs.submit(task, parsed.input, {
      requestId: meta.requestId,
      ...(meta.owner ? { owner: meta.owner } : {}),
      ...(parsed.upload ? { upload: parsed.upload } : {}),
    });
  }

  async run(task: TaskName, parsed: ParsedTaskInput, meta: RunMeta): Promise<SyncOutcome> {
    const id = await this.submit(task, parsed, meta);
    return this.await(id, meta.owner);
  }

  async await(id: string, owner?: string): Promise<SyncOutcome> {
    const o = await this.deps.jobs.wait(id, this.deps.cfg.SYNC_TIMEOUT_MS);
    if (o.state === 'completed') return { kind: 'done', result: o.result };
    if (o.state === 'failed') {
      const f = o.failure;
      throw new AppError(f.status, f.code, f.message, { ...(f.details ? { details: f.details } : {}) });
    }
    return { kind: 'pending', job: await this.deps.jobs.view(id, owner) };
  }
}

export const jobLinks = (id: string) => ({ self: `/jobs/${id}` });
