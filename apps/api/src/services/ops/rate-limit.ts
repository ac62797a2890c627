/**
 * Token-bucket rate limiting in Redis (DESIGN §3 "Rate limit").
 *
 * One Lua script does read-refill-check-charge for the client bucket and the optional global bucket
 * atomically, so concurrent requests (from any number of API processes) can never overspend a bucket.
 * The script reads the clock with Redis `TIME`, not the caller's clock: API processes on machines with
 * skewed clocks still agree on how much a bucket has refilled.
 *
 * Bucket state is a hash `{t: tokens (float), ts: last update in ms}`. A key is given a PEXPIRE equal to
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
const SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local function load(key, burst, refill, interval)
  local h = redis.call('HMGET', key, 't', 'ts')
  local tokens = tonumber(h[1])
  local ts = tonumber(h[2])
  if tokens == nil or ts == nil then return burst end
  local elapsed = math.max(0, now - ts)
  return math.min(burst, tokens + elapsed * refill / interval)
end
local interval = tonumber(ARGV[4])
local spec = { { KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]) } }
if #KEYS > 1 then spec[2] = { KEYS[2], tonumber(ARGV[5]), tonumber(ARGV[6]) } end
local tokens = {}
local refused = 0
local retry = 0
for i, s in ipairs(spec) do
  tokens[i] = load(s[1], s[2], s[3], interval)
  if tokens[i] < cost then
    local wait = math.ceil((cost - tokens[i]) * interval / s[3])
    if wait >= retry then retry = wait; refused = i end
  end
end
if refused == 0 then
  for i, s in ipairs(spec) do
    tokens[i] = tokens[i] - cost
    redis.call('HSET', s[1], 't', tostring(tokens[i]), 'ts', now)
    redis.call('PEXPIRE', s[1], math.max(1, math.ceil((s[2] - tokens[i]) * interval / s[3])))
  end
end
local r = refused == 0 and 1 or refused
local s = spec[r]
local reset = math.max(0, math.ceil((s[2] - tokens[r]) * interval / s[3]))
return { refused == 0 and 1 or 0, refused, math.floor(tokens[r]), reset, retry }
`;

const COMMAND = 'caRateLimitTake';
type TakeFn = (...args: (string | number)[]) => Promise<[number, number, number, number, number]>;

/** Bucket names go into Redis key names hashed: an API key must never be readable from a key listing. */
const bucketId = (bucket: string) => createHash('sha256').update(bucket).digest('base64url').slice(0, 22);

export class RateLimiter {
  readonly enabled: boolean;
  private readonly k: ReturnType<typeof keys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly opts: RateLimitOptions,
  ) {
    if (!(opts.refill > 0) || !(opts.intervalS > 0)) throw new Error('RateLimiter: refill and intervalS must be > 0');
    this.enabled = opts.burst > 0;
    this.k = keys(prefix);
    // defineCommand makes ioredis use EVALSHA and fall back to EVAL once after a SCRIPT FLUSH or restart.
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: SCRIPT });
  }

  private get globalOn(): boolean {
    return (this.opts.globalBurst ?? 0) > 0;
  }

  /** Take `cost` tokens from `bucket` (and from the global bucket, if on). Nothing is charged on refusal. */
  async take(bucket: string, cost = 1): Promise<RateLimitResult> {
    const { burst, refill, intervalS } = this.opts;
    if (!this.enabled) return { allowed: true, limit: 0, remaining: 0, resetS: 0, retryAfterS: 0 };
    if (!(cost > 0)) throw new Error('RateLimiter.take: cost must be > 0');
    const global = this.globalOn;
    const ks = global ? [this.k.rateLimit(`c:${bucketId(bucket)}`), this.k.rateLimit('g')] : [this.k.rateLimit(`c:${bucketId(bucket)}`)];
    const fn = (this.redis as unknown as Record<string, TakeFn>)[COMMAND]!.bind(this.redis);
    const [ok, refusedBy, remaining, resetMs, retryMs] = await fn(
      ks.length,
      ...ks,
      cost,
      burst,
      refill,
      Math.round(intervalS * 1000),
      this.opts.globalBurst ?? 0,
      this.opts.globalRefill ?? refill,
    );
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
    res.set({
      'RateLimit-Limit': String(r.limit),
      'RateLimit-Remaining': String(r.remaining),
      'RateLimit-Reset': String(Math.ceil(r.resetS)),
    });
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
