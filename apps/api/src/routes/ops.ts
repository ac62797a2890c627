import { Router } from 'express';
import { TASKS } from '@ca/shared';
import type { AppDeps } from '../context.js';
import { parseWindow, summarize } from '../services/ops/llmops.js';
import { readiness } from '../services/readiness.js';

const VERSION = '0.1.0';

export function opsRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    res.json({
      name: 'CustomerAssist',
      version: VERSION,
      message: 'CustomerAssist API is running. Try the tasks at /docs; /readyz tells which tasks are served now.',
      links: { docs: '/docs', openapi: '/openapi.json', health: '/healthz', ready: '/readyz', metrics: '/metrics', llmops: '/llmops/summary' },
      tasks: Object.values(TASKS).map((t) => ({ name: t.name, domain: t.domain, sync: `/${t.name}`, async: `/jobs/${t.name}`, summary: t.summary })),
    });
  });
  r.get('/llmops/summary', async (req, res) => {
    res.json(await summarize(deps.redis, deps.cfg.QUEUE_PREFIX, parseWindow(req.query.window)));
  });
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptime_s: Math.round(process.uptime()) });
  });
  r.get('/readyz', async (_req, res) => {
    let redisOk = false;
    try {
      redisOk = (await deps.redis.ping()) === 'PONG';
    } catch {
      redisOk = false;
    }
    const workers = redisOk ? await deps.workers.list(true).catch(() => []) : [];
    const body = readiness(workers, redisOk, deps.lifecycle.draining);
    if (body.status !== 'ready') res.set('Retry-After', '10');
    res.status(body.status === 'ready' ? 200 : 503).json(body);
  });
  return r;
}
