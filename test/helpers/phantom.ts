import { TASK_NAMES, TASKS } from '@ca/shared';

/** The heartbeat of a ready worker that says it runs every task of `domains` (nothing consumes their queues). */
export function phantomRecord(id: string, domains: string[], host = 'test') {
  const tasks = TASK_NAMES.filter((t) => domains.includes(TASKS[t].domain));
  return { id, host, pid: 0, state: 'ready', domains, tasks, batches: true, unavailable: [], models: [], providers: ['cpu'] };
}
