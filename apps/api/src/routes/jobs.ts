import { Router } from 'express';
import type { AppDeps } from '../context.js';
import { jobLinks } from '../services/task-service.js';

export function jobRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/jobs/:id', async (req, res) => {
    const v = await deps.jobs.view(String(req.params.id), req.owner);
    res.json({ ...v, links: jobLinks(v.id) });
  });
  r.delete('/jobs/:id', async (req, res) => {
    const v = await deps.jobs.cancel(String(req.params.id), req.owner);
    // A queued job is gone at once (200); an active one is being stopped (202).
    res.status(v.status === 'cancelled' ? 200 : 202).json({ ...v, ...(v.status === 'active' ? { cancel_requested: true } : {}), links: jobLinks(v.id) });
  });
  return r;
}
