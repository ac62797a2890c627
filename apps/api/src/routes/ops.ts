import { Router } from 'express';
import { ALL_DOMAINS, domainsOf, TASK_NAMES, TASKS, tasksOfDomain } from '@ca/shared';
import type { AppDeps } from '../context.js';
import { parseWindow, summarize } from '../services/ops/llmops.js';

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
    const domains = Object.fromEntries(
      ALL_DOMAINS.map((d) => {
        const serving = workers.filter((w) => w.state === 'ready' && w.domains.includes(d));
        const keys = new Set<string>(tasksOfDomain(d).flatMap((t) => [...t.models]));
        const problems = [...new Set(workers.flatMap((w) => w.unavailable.filter((u) => u.domain === d).map((u) => u.error)))];
        return [
          d,
          {
            ready: serving.length > 0,
            workers: serving.length,
            providers: [...new Set(serving.flatMap((w) => w.providers))],
            models: [...new Set(serving.flatMap((w) => w.models.filter((m) => !m.error && keys.has(m.key)).map((m) => m.model)))],
            ...(problems.length ? { problems } : {}),
          },
        ];
      }),
    );
    const tasks = Object.fromEntries(
      TASK_NAMES.map((t) => {
        const needs = domainsOf(t);
        return [t, { ready: needs.every((d) => domains[d]!.ready), domains: needs }];
      }),
    );
    const draining = deps.lifecycle.draining;
    const ready = !draining && redisOk && Object.values(domains).every((d) => d.ready);
    if (!ready) res.set('Retry-After', '10');
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : draining ? 'draining' : 'not_ready',
      redis: redisOk ? 'ok' : 'unreachable',
      domains,
      tasks,
      ...(ready ? {} : { unready: Object.entries(domains).filter(([, v]) => !v.ready).map(([k]) => k) }),
    });
  });
  return r;
}
