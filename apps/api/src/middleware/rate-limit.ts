import type { RequestHandler } from 'express';
import type { AppDeps } from '../context.js';
import { RateLimiter, rateLimitMiddleware } from '../services/ops/rate-limit.js';

/**
 * The token bucket for task submissions, per API key (or client IP when keys are off). Mounted before
 * any body parsing, so a client over its budget costs no parsing and malformed bodies are counted too.
 */
export function taskRateLimit(deps: AppDeps): RequestHandler {
  const { cfg } = deps;
  const limiter = new RateLimiter(deps.pipelined, cfg.QUEUE_PREFIX, {
    burst: cfg.RATE_LIMIT_BURST,
    refill: cfg.RATE_LIMIT_REFILL,
    intervalS: cfg.RATE_LIMIT_INTERVAL_S,
    globalBurst: cfg.RATE_LIMIT_GLOBAL_BURST,
    globalRefill: cfg.RATE_LIMIT_GLOBAL_REFILL,
  });
  return rateLimitMiddleware(limiter, {
    identify: (req) => req.owner ?? req.ip ?? 'unknown',
    onReject: (scope) => deps.metrics.rateLimitRejections.inc({ scope }),
  });
}
