/**
 * Liveness in Redis: every few seconds a worker refreshes its record (domains it serves, models and
 * execution provider) with a TTL. The API's /readyz and its "is anyone serving this domain" check read
 * these; a worker that dies simply stops refreshing and drops out within HEARTBEAT_TTL_MS.
 */
import os from 'node:os';
import type { Redis } from 'ioredis';
import { keys, type Config, type WorkerRecord } from '@ca/shared';

export function startHeartbeat(cfg: Config, redis: Redis, id: string, snapshot: () => Omit<WorkerRecord, 'id' | 'host' | 'pid'>) {
  const k = keys(cfg.QUEUE_PREFIX);
  const beat = async () => {
    const rec: WorkerRecord = { id, host: os.hostname(), pid: process.pid, ...snapshot() };
    const now = Date.now();
    await redis
      .multi()
      .set(k.worker(id), JSON.stringify(rec), 'PX', cfg.HEARTBEAT_TTL_MS)
      .zadd(k.workers, now, id)
      .zremrangebyscore(k.workers, 0, now - cfg.HEARTBEAT_TTL_MS * 3)
      .exec();
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    timer = setTimeout(() => {
      beat().catch(() => undefined).finally(loop);
    }, cfg.HEARTBEAT_INTERVAL_MS);
    timer.unref();
  };
  return {
    beat,
    start() {
      loop();
    },
    async stop() {
      clearTimeout(timer);
      await redis.multi().del(k.worker(id)).zrem(k.workers, id).exec().catch(() => undefined);
    },
  };
}
