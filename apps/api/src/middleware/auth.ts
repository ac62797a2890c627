import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError, keyHash } from '@ca/shared';
import type { AppDeps } from '../context.js';
import { RateLimiter } from '../services/ops/rate-limit.js';

/** Wrong keys a client address may send: 10 at once, then 10 a minute (keys cannot be guessed at full speed). */
const WRONG_KEYS = { burst: 10, refill: 10, intervalS: 60 };

/**
 * API keys (API_KEYS, comma-separated). Off when none are configured. The key arrives as
 * `Authorization: Bearer <key>` or `X-API-Key`; only its hash is kept (as the job owner). Each wrong key
 * costs its client address a token: past the budget, the answer is 429 instead of 403.
 */
export function apiKeyAuth(deps: AppDeps): RequestHandler {
  const hashes = deps.cfg.API_KEYS.map(keyHash);
  const wrongKeys = new RateLimiter(deps.redis, deps.cfg.QUEUE_PREFIX, WRONG_KEYS);
  return (req, _res, next) => {
    if (hashes.length === 0) return next();
    const auth = req.get('Authorization');
    // The scheme is case-insensitive (RFC 9110 §11.1).
    const bearer = auth?.match(/^bearer\s+(.+)$/i)?.[1]?.trim();
    const key = bearer ?? req.get('X-API-Key');
    if (!key) return next(new AppError(401, 'unauthorized', 'an API key is required', { headers: { 'WWW-Authenticate': 'Bearer' } }));
    const h = keyHash(key);
    if (hashes.some((k) => timingSafeEqual(k, h))) {
      req.owner = h.toString('hex').slice(0, 32); // = ownerOf(key)
      return next();
    }
    wrongKeys.take(`wrong-key:${req.ip ?? 'unknown'}`).then(
      (r) =>
        next(
          r.allowed
            ? new AppError(403, 'forbidden', 'the API key is not valid')
            : new AppError(429, 'rate_limited', 'too many wrong API keys from this address', { headers: { 'Retry-After': String(Math.max(1, Math.ceil(r.retryAfterS))) } }),
        ),
      next,
    );
  };
}
