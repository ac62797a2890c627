import { Router } from 'express';
import { z } from 'zod';
import { JOB_STATUSES, TASK_NAMES, type TaskName } from '@ca/shared';
import { zodError } from '../services/validate.js';
import type { AppDeps } from '../context.js';
import { jobLinks } from '../services/task-service.js';
import { shownUrl } from '../webhooks/deliver.js';

const ListQuery = z.strictObject({
  task: z.enum(TASK_NAMES as [TaskName, ...TaskName[]]).optional(),
  status: z.enum(JOB_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(300).optional(),
});

export function jobRoutes(deps: AppDeps): Router {
  const r = Router();
  // The caller's own jobs, newest first, a page at a time (within RESULT_TTL_S).
  r.get('/jobs', async (req, res) => {
    const q = ListQuery.safeParse(req.query);
    if (!q.success) throw zodError(q.error);
    const page = await deps.jobs.list(req.owner, q.data);
    res.json({ jobs: page.jobs.map((v) => ({ ...v, links: jobLinks(v.id) })), ...(page.next_cursor ? { next_cursor: page.next_cursor } : {}) });
  });
  r.get('/jobs/:id', async (req, res) => {
    const v = await deps.jobs.view(String(req.params.id), req.owner);
    res.json({ ...v, links: jobLinks(v.id) });
  });
  r.delete('/jobs/:id', async (req, res) => {
    const v = await deps.jobs.cancel(String(req.params.id), req.owner);
    // A queued job is gone at once (200); an active one is being stopped (202).
    res.status(v.status === 'cancelled' ? 200 : 202).json({ ...v, ...(v.status === 'active' ? { cancel_requested: true } : {}), links: jobLinks(v.id) });
  });
  // The webhook's delivery log, newest last, and a redelivery of the job's final event.
  r.get('/jobs/:id/deliveries', async (req, res) => {
    const v = await deps.jobs.view(String(req.params.id), req.owner);
    const job = await deps.jobs.getJob(v.id);
    const webhook = job?.data.webhook;
    res.json({ job_id: v.id, ...(webhook ? { webhook: { url: shownUrl(webhook.url), events: webhook.events } } : {}), deliveries: await deps.deliveries.log.list(v.id) });
  });
  r.post('/jobs/:id/deliveries/redeliver', async (req, res) => {
    const id = String(req.params.id);
    await deps.jobs.redeliver(id, req.owner);
    res.status(202).json({ job_id: id, redelivery: 'queued', links: { deliveries: `/jobs/${id}/deliveries` } });
  });
  return r;
}
