/**
 * `/readyz`: which tasks the live workers run now, from their heartbeats. A task is ready when a ready
 * worker has every model it needs (and so are the tasks it hands work to); a domain is ready when all its
 * tasks are. Every model that failed is listed with its reason, whichever task it belongs to.
 */
import { ALL_DOMAINS, domainsOf, TASK_NAMES, tasksOf, tasksOfDomain, type TaskName, type WorkerRecord } from '@ca/shared';
import type { z } from 'zod';
import type { Readiness } from '../docs/schemas.js';
import { failedModelsOf, serves } from './workers.js';

export function readiness(workers: WorkerRecord[], redisOk: boolean, draining: boolean): z.output<typeof Readiness> {
  const runnable = (t: TaskName) => tasksOf(t).every((x) => serves(workers, x));
  const domains = Object.fromEntries(
    ALL_DOMAINS.map((d) => {
      const own = tasksOfDomain(d).map((t) => t.name as TaskName);
      const serving = workers.filter((w) => w.state === 'ready' && w.domains.includes(d));
      const keys = new Set<string>(tasksOfDomain(d).flatMap((t) => [...t.models]));
      const problems = [...new Set(failedModelsOf(workers).filter((m) => keys.has(m.key)).map((m) => m.error))];
      return [
        d,
        {
          ready: own.every((t) => serves(workers, t)),
          workers: serving.length,
          tasks: own.filter((t) => serves(workers, t)),
          providers: [...new Set(serving.flatMap((w) => w.providers))],
          models: [...new Set(serving.flatMap((w) => w.models.filter((m) => !m.error && keys.has(m.key)).map((m) => m.model)))],
          ...(problems.length ? { problems } : {}),
        },
      ];
    }),
  );
  const tasks = Object.fromEntries(TASK_NAMES.map((t) => [t, { ready: runnable(t), domains: domainsOf(t) }]));
  const served = TASK_NAMES.filter(runnable).length;
  const failed = failedModelsOf(workers).map((m) => ({ key: m.key, model: m.model, reason: m.reason ?? 'load_failed', error: m.error }));
  const ready = !draining && redisOk && served === TASK_NAMES.length;
  return {
    status: ready ? 'ready' : draining ? 'draining' : 'not_ready',
    redis: redisOk ? 'ok' : 'unreachable',
    summary: `${served} of ${TASK_NAMES.length} tasks served`,
    workers: { ready: workers.filter((w) => w.state === 'ready').length, loading: workers.filter((w) => w.state === 'loading').length, draining: workers.filter((w) => w.state === 'draining').length },
    domains,
    tasks,
    ...(failed.length ? { failed_models: failed } : {}),
    ...(ready ? {} : { unready: Object.entries(domains).filter(([, v]) => !v.ready).map(([k]) => k) }),
  };
}
