/**
 * Which workers are alive, from their Redis heartbeats. A domain with no live, ready worker gets 503 at
 * once instead of a request that waits for a timeout. Reads are cached for a second: the answer feeds
 * every task request.
 */
import type { Redis } from 'ioredis';
import { AppError, keys, type Config, type Domain, type WorkerRecord } from '@ca/shared';

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

  async assertServed(domain: Domain): Promise<void> {
    let list = await this.list();
    // A worker may have just started: look again before refusing.
    if (!list.some((w) => w.state === 'ready' && w.domains.includes(domain))) list = await this.list(true);
    if (list.some((w) => w.state === 'ready' && w.domains.includes(domain))) return;
    const problems = list.flatMap((w) => w.unavailable.filter((u) => u.domain === domain).map((u) => u.error));
    throw new AppError(503, 'no_worker', `no worker is serving the ${domain} domain right now`, {
      details: { domain, ...(problems.length ? { problems: [...new Set(problems)].slice(0, 3) } : {}) },
      headers: { 'Retry-After': '10' },
    });
  }
}
