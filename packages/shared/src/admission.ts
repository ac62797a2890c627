/**
 * Admission to a domain queue, exact under concurrency. Reading the waiting count and then adding (as
 * before) let concurrent submitters all see room: 36 jobs waited under MAX_QUEUED_JOBS=30. Here one
 * script counts the waiting jobs plus the submits admitted but not yet added, and admits only below
 * the limit by recording a reservation; the submitter drops it once its add has landed (or failed).
 * A reservation whose job exists already is dropped by the script itself (so no job counts twice),
 * and one whose submitter died expires: a crash costs a slot for RESERVATION_MS at most.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

// Expired reservations go on every call (cheap: by score). Those whose job exists already (its submitter
// died between the add and done(), or done() failed) matter only when they would refuse a submit, so they
// are looked for only then: a look on every call cost one EXISTS per concurrent submit.
const ADMIT = `
local function count()
  return redis.call('LLEN', KEYS[1]) + redis.call('LLEN', KEYS[2]) + redis.call('ZCARD', KEYS[3]) + redis.call('ZCARD', KEYS[4])
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', ARGV[2])
local limit = tonumber(ARGV[1])
local n = count()
if n >= limit then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
    if redis.call('EXISTS', ARGV[5] .. id) == 1 then redis.call('ZREM', KEYS[4], id) end
  end
  n = count()
  if n >= limit then return n end
end
redis.call('ZADD', KEYS[4], tonumber(ARGV[2]) + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
return -1
`;
const COMMAND = 'caAdmit';
const RESERVATION_MS = 30_000;

type AdmitFn = (wait: string, paused: string, prioritized: string, reservations: string, limit: number, now: number, id: string, ttl: number, jobKeyPrefix: string) => Promise<number>;

export class Admission {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    // defineCommand: EVALSHA, with one EVAL after a SCRIPT FLUSH or a restart.
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 4, lua: ADMIT });
  }

  private reservations(queue: Queue): string {
    return `${this.prefix}:admission:${queue.name}`;
  }

  /** Admit one job to `queue` under `limit`: true, with a reservation to drop; false when full. */
  async admit(queue: Queue, limit: number, jobId: string): Promise<boolean> {
    const k = queue.keys;
    const admit = (this.redis as unknown as Record<string, AdmitFn>)[COMMAND]!.bind(this.redis);
    return (await admit(k.wait!, k.paused!, k.prioritized!, this.reservations(queue), limit, Date.now(), jobId, RESERVATION_MS, queue.toKey(''))) === -1;
  }

  /**
   * Whether the queue is at its limit now (no reservation made): a cheap early refusal for requests
   * whose body is costly to read, before it is read. Only admit() decides admission.
   */
  async full(queue: Queue, limit: number): Promise<boolean> {
    const k = queue.keys;
    // A pipeline, not MULTI: nothing here needs atomicity, and an error (Redis loading after a restart)
    // comes back as itself, not as EXECABORT.
    const r = (await this.redis.pipeline().llen(k.wait!).llen(k.paused!).zcard(k.prioritized!).zcard(this.reservations(queue)).exec()) ?? [];
    const failed = r.find(([e]) => e);
    if (failed) throw failed[0]!;
    return r.reduce((n, [, v]) => n + Number(v ?? 0), 0) >= limit;
  }

  /** The job is in the queue (or will never be): its reservation goes. */
  async done(queue: Queue, jobId: string): Promise<void> {
    await this.redis.zrem(this.reservations(queue), jobId);
  }
}
