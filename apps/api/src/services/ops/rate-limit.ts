/**
 * Token-bucket rate limiting in Redis (DESIGN §3 "Rate limit").
 *
 * One Lua script does read-refill-check-charge for the client bucket and the optional global bucket
 * atomically, so concurrent requests (from any number of API processes) can never overspend a bucket.
 * The script reads the clock with Redis `TIME`, not the caller's clock: API processes on machines with
 * skewed clocks still agree on how much a bucket has refilled.
 *
 * Bucket state is a string `"<tokens (float)> <last update in ms>"`. A key is set with a PX equal to
 * its time-to-full: once it would be full again it carries no information, so Redis drops it.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError, keys } from '@ca/shared';

export interface RateLimitOptions {
  /** Bucket size per client; 0 turns limiting off (no Redis call at all). */
  burst: number;
  /** Tokens added per `intervalS` seconds. */
  refill: number;
  intervalS: number;
  /** Shared bucket across all clients; absent or 0 = no global limit. */
  globalBurst?: number;
  /** Tokens per `intervalS` for the global bucket (default: `refill`). */
  globalRefill?: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** Size of the bucket reported on (the client's, or the global one when that refused). */
  limit: number;
  /** Whole tokens left in that bucket after this call. */
  remaining: number;
  /** Seconds until that bucket is full again. */
  resetS: number;
  /** Seconds until the request could pass (enough tokens for `cost`; 1 token for cost 1); 0 if allowed. */
  retryAfterS: number;
  /** Which bucket refused, when one did. */
  scope?: 'client' | 'global';
}

// KEYS[1] client bucket, KEYS[2] global bucket (only when the global limit is on).
// ARGV: cost, burst, refill, interval_ms, gburst, grefill.
// Returns {allowed 0|1, refused_by 0 none|1 client|2 global, remaining, reset_ms, retry_ms} for the client
// bucket, or for the global bucket when that is the one that refused. Lua numbers are returned to
// Redis as integers, hence whole tokens and milliseconds.
// Every task request runs this, so it makes three calls (TIME, GET, SET PX) and builds no tables: on a
// small machine Redis shares the cores with the API, and a hash with HMGET/HSET/PEXPIRE cost twice as much.
const SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local interval = tonumber(ARGV[4])
local function level(key, burst, refill)
  local v = redis.call('GET', key)
  if not v then return burst end
  local sp = string.find(v, ' ', 1, true)
  local tokens = sp and tonumber(string.sub(v, 1, sp - 1))
  local ts = sp and tonumber(string.sub(v, sp + 1))
  if not tokens or not ts then return burst end
  return math.min(burst, tokens + math.max(0, now - ts) * refill / interval)
end
local cb, cr = tonumber(ARGV[2]), tonumber(ARGV[3])
local c = level(KEYS[1], cb, cr)
local gb, gr, g = 0, 0, 0
if #KEYS > 1 then gb, gr = tonumber(ARGV[5]), tonumber(ARGV[6]); g = level(KEYS[2], gb, gr) end
local refused, retry = 0, 0
if c < cost then retry = math.ceil((cost - c) * interval / cr); refused = 1 end
if #KEYS > 1 and g < cost then
  local wait = math.ceil((cost - g) * interval / gr)
  if wait >= retry then retry = wait; refused = 2 end
end
local function charge(key, left, burst, refill)
  redis.call('SET', key, tostring(left) .. ' ' .. now, 'PX', math.max(1, math.ceil((burst - left) * interval / refill)))
end
if refused == 0 then
  c = c - cost
  charge(KEYS[1], c, cb, cr)
  if #KEYS > 1 then g = g - cost; charge(KEYS[2], g, gb, gr) end
end
local left, burst, refill = c, cb, cr
if refused == 2 then left, burst, refill = g, gb, gr end
local reset = math.max(0, math.ceil((burst - left) * interval / refill))
return { refused == 0 and 1 or 0, refused, math.floor(left), reset, retry }
`;

const COMMAND = 'caRateLimitTake';
type TakeFn = (...args: (string | number)[]) => Promise<[number, number, number, number, number]>;

/** Bucket names go into Redis key names hashed: an API key must never be readable from a key listing. */
const bucketId = (bucket: string) => {
  let id = BUCKET_IDS.get(bucket);
  if (id === undefined) {
    // The clients of one API process are few (keys, addresses): a bounded memo saves a sha256 per request.
    if (BUCKET_IDS.size >= 10_000) BUCKET_IDS.clear();
    BUCKET_IDS.set(bucket, (id = createHash('sha256').update(bucket).digest('base64url').slice(0, 22)));
  }
  return id;
};
const BUCKET_IDS = new Map<string, string>();

export class RateLimiter {
  readonly enabled: boolean;
  private readonly k: ReturnType<typeof keys>;

  constructor(
    redis: Redis,
    prefix: string,
    readonly opts: RateLimitOptions,
  ) {
    if (!(opts.refill > 0) || !(opts.intervalS > 0)) throw new Error('RateLimiter: refill and intervalS must be > 0');
    this.enabled = opts.burst > 0;
    this.k = keys(prefix);
    // defineCommand makes ioredis use EVALSHA and fall back to EVAL once after a SCRIPT FLUSH or restart.
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: SCRIPT });
    const commands = redis as unknown as Record<string, TakeFn>;
    this.script = (...args) => commands[COMMAND]!(...args);
    this.args = [opts.burst, opts.refill, Math.round(opts.intervalS * 1000), opts.globalBurst ?? 0, opts.globalRefill ?? opts.refill];
  }

  private readonly script: TakeFn;
  /** The script's ARGV after the cost: the same on every call. */
  private readonly args: number[];

  private get globalOn(): boolean {
    return (this.opts.globalBurst ?? 0) > 0;
  }

  /** Take `cost` tokens from `bucket` (and from the global bucket, if on). Nothing is charged on refusal. */
  async take(bucket: string, cost = 1): Promise<RateLimitResult> {
    const { burst } = this.opts;
    if (!this.enabled) return { allowed: true, limit: 0, remaining: 0, resetS: 0, retryAfterS: 0 };
    if (!(cost > 0)) throw new Error('RateLimiter.take: cost must be > 0');
    const client = this.k.rateLimit(`c:${bucketId(bucket)}`);
    const [ok, refusedBy, remaining, resetMs, retryMs] = await (this.globalOn
      ? this.script(2, client, this.k.rateLimit('g'), cost, ...this.args)
      : this.script(1, client, cost, ...this.args));
    const byGlobal = refusedBy === 2;
    return {
      allowed: ok === 1,
      limit: byGlobal ? this.opts.globalBurst! : burst,
      remaining: Math.max(0, remaining),
      resetS: resetMs / 1000,
      retryAfterS: ok === 1 ? 0 : retryMs / 1000,
      ...(ok === 1 ? {} : { scope: byGlobal ? 'global' : 'client' }),
    };
  }
}

export interface RateLimitMiddlewareOptions {
  /** The bucket for a request: the API key (or owner) when keys are on, else the client IP. */
  identify(req: Request): string;
  /** Called once per refusal, e.g. to count `ca_rate_limit_rejections_total{scope}`. */
  onReject?(scope: 'client' | 'global', req: Request): void;
  /** Tokens a request costs (default 1). */
  cost?(req: Request): number;
}

/**
 * Express 5 middleware: takes a token, sets the IETF draft `RateLimit-Limit`, `RateLimit-Remaining` and
 * `RateLimit-Reset` (delta seconds) headers on every response it lets through or refuses, and refuses
 * with AppError 429 `rate_limited` carrying `Retry-After`. Redis errors go to `next(err)` (the error
 * handler answers 503 when Redis is down): we fail closed rather than serve unlimited traffic.
 */
export function rateLimitMiddleware(limiter: RateLimiter, opts: RateLimitMiddlewareOptions): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!limiter.enabled) return next();
    let r: RateLimitResult;
    try {
      r = await limiter.take(opts.identify(req), opts.cost?.(req) ?? 1);
    } catch (err) {
      return next(err);
    }
    res.setHeader('RateLimit-Limit', String(r.limit));
    res.setHeader('RateLimit-Remaining', String(r.remaining));
    res.setHeader('RateLimit-Reset', String(Math.ceil(r.resetS)));
    if (r.allowed) return next();
    const scope = r.scope ?? 'client';
    opts.onReject?.(scope, req);
    const retry = Math.max(1, Math.ceil(r.retryAfterS));
    next(
      new AppError(429, 'rate_limited', scope === 'global' ? 'the service is busy; try again shortly' : 'too many requests; slow down', {
        details: { limit: r.limit, retry_after_s: retry, scope },
        headers: { 'Retry-After': String(retry) },
      }),
    );
  };
}
