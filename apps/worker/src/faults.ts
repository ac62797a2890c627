/**
 * Fault injection for the fault tests: every function here is a no-op unless FAULT_INJECTION=true
 * (never in production). A test writes counts to Redis hashes; the worker obeys them.
 *  - `failures` (hash `fault`, field = task): that many attempts of the task fail with a transient error.
 *  - `dieAt` (hash `fault:kill`, field = point): the worker process kills itself with SIGKILL at that
 *    point of a job's life, that many times — a kill -9 exactly where a race would lose a job.
 */
import type { Redis } from 'ioredis';
import { AppError, keys, type Config } from '@ca/shared';

/** Points of a job's life a worker can be killed at. */
export const KILL_POINTS = [
  /** Taken from the queue, nothing done yet. */
  'start',
  /** The model call is running in the inference thread. */
  'inference',
  /** The handler's result is checked and cached; BullMQ has not committed it. */
  'handled',
  /** BullMQ has committed the outcome; the upload and in-flight slot are not released yet. */
  'committed',
] as const;
export type KillPoint = (typeof KILL_POINTS)[number];

export function createFaults(cfg: Config, redis: Redis) {
  const k = keys(cfg.QUEUE_PREFIX);
  return {
    async failures(task: string): Promise<void> {
      if (!cfg.FAULT_INJECTION) return;
      const left = await redis.hincrby(k.fault, task, -1);
      if (left >= 0) throw new AppError(500, 'injected_fault', 'fault injected for testing', { retryable: true });
      await redis.hset(k.fault, task, 0);
    },
    async dieAt(point: KillPoint): Promise<void> {
      if (!cfg.FAULT_INJECTION) return;
      const left = await redis.hincrby(k.faultKill, point, -1);
      if (left >= 0) process.kill(process.pid, 'SIGKILL');
      else await redis.hset(k.faultKill, point, 0);
    },
  };
}
export type Faults = ReturnType<typeof createFaults>;
