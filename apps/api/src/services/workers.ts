/**
 * Which workers are alive, from their Redis heartbeats. A task no live, ready worker runs (every model of
 * it loaded) gets 503 at once instead of a request that waits for a timeout. Reads are cached for a
 * second: the answer feeds every task request.
 */
import type { Redis } from 'ioredis';
import { AppError, keys, TASKS, tasksOf, type Config, type Lane, type ModelStatus, type TaskName, type WorkerRecord } from '@ca/shared';

/** Whether some worker in the list runs the task now (on the batch lane: one that takes batch items). */
export const serves = (list: WorkerRecord[], t: TaskName, lane: Lane = 'live') =>
  list.some((w) => w.state === 'ready' && (w.tasks ?? []).includes(t) && (lane === 'live' || w.batches !== false));

/** The failed models a task needs, as the workers report them (one entry per model and reason). */
export function failedModelsOf(list: WorkerRecord[], t?: TaskName): (ModelStatus & { error: string })[] {
  const wanted = t ? new Set<string>(TASKS[t].models) : undefined;
  const seen = new Map<string, ModelStatus & { error: string }>();
  for (const w of list) {
    for (const m of w.models) if (m.error && (!wanted || wanted.has(m.key))) seen.set(`${m.key}:${m.error}`, m as ModelStatus & { error: string });
  }
  return [...seen.values()];
}

export class WorkerDirectory {
  private cache: { at: number; list: WorkerRecord[] } | undefined;
  private readonly k;

  constructor(
    private readonly cfg: Config,
    private readonly redis: Redis,
  ) {
    this.k = keys(cfg.QUEUE_PREFIX);
  }

  async list(fresh = false): Promise<WorkerRecord[]> {
    if (!fresh && this.cache && Date.now() - this.cache.at < 1000) return this.cache.list;
    const ids = await this.redis.zrangebyscore(this.k.workers, Date.now() - this.cfg.HEARTBEAT_TTL_MS, '+inf');
    const raw = ids.length ? await this.redis.mget(ids.map((id) => this.k.worker(id))) : [];
    const list = raw.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as WorkerRecord);
    this.cache = { at: Date.now(), list };
    return list;
  }

  /** The task, and the tasks it hands work to for this input, each run by a live worker; else 503 no_worker. */
  async assertServed(task: TaskName, input?: unknown, lane: Lane = 'live'): Promise<void> {
    const needs = tasksOf(task, input);
    let list = await this.list();
    // A worker may have just started: look again before refusing.
    if (!needs.every((t) => serves(list, t, lane))) list = await this.list(true);
    const missing = needs.find((t) => !serves(list, t, lane));
    if (!missing) return;
    const domain = TASKS[missing].domain;
    const failed = failedModelsOf(list, missing);
    const what = lane === 'batch' ? `batch items of ${missing}` : missing;
    throw new AppError(503, 'no_worker', `no worker is running ${what} (${domain} domain) right now`, {
      details: {
        task: missing,
        domain,
        ...(failed.length ? { problems: failed.map((m) => m.error), models: failed.map((m) => ({ model: m.model, reason: m.reason ?? 'load_failed' })) } : {}),
      },
      headers: { 'Retry-After': '10' },
    });
  }
}
