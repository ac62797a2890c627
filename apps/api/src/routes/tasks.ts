/**
 * The task routes, derived from the contracts: `POST /{task}` (synchronous) and `POST /jobs/{task}`
 * (asynchronous). Adding a task to TASKS adds its routes here without touching this file.
 */
import { Router, type Request, type Response } from 'express';
import { AppError, isTaskName, TASKS, type Task, type TaskName } from '@ca/shared';
import type { AppDeps } from '../context.js';
import { uploadFor } from '../middleware/upload.js';
import { jobLinks, TaskService } from '../services/task-service.js';
import { parseTaskInput } from '../services/validate.js';
import { checkIdempotencyKey } from '../services/idempotency.js';

export const unknownTask = (name: string) => new AppError(404, 'unknown_task', `no task named "${name.slice(0, 64)}"`, { details: { tasks: Object.keys(TASKS) } });

export function taskRoutes(deps: AppDeps): Router {
  const r = Router();
  const service = new TaskService(deps);

  const meta = (req: Request) => {
    const idempotencyKey = checkIdempotencyKey(req.get('Idempotency-Key'));
    return { requestId: req.id, receivedAt: req.receivedAt, ...(req.owner ? { owner: req.owner } : {}), ...(idempotencyKey ? { idempotencyKey } : {}) };
  };

  for (const [name, task] of Object.entries(TASKS) as [TaskName, Task][]) {
    const upload = uploadFor(task, deps.cfg, (d) => deps.jobs.assertRoom(d));

    r.post(`/${name}`, upload, async (req: Request, res: Response) => {
      const parsed = await parseTaskInput(task, req, deps.cfg);
      const out = await service.run(name, parsed, meta(req));
      if (out.kind === 'done') {
        if (out.cache) res.set('X-Cache', out.cache);
        res.json(out.result);
        return;
      }
      res.status(202).location(`/jobs/${out.job.id}`).json({ ...out.job, links: jobLinks(out.job.id) });
    });

    r.post(`/jobs/${name}`, upload, async (req: Request, res: Response) => {
      const parsed = await parseTaskInput(task, req, deps.cfg);
      const id = await service.submitAsync(name, parsed, meta(req));
      res.status(202).location(`/jobs/${id}`).json({ id, task: name, status: 'queued', links: jobLinks(id) });
    });
  }

  r.post('/jobs/:task', (req, _res, next) => {
    const t = String(req.params.task);
    next(isTaskName(t) ? undefined : unknownTask(t));
  });
  return r;
}
