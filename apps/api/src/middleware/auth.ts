import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '@ca/shared';

const hash = (k: string) => createHash('sha256').update(k).digest();

/**
 * API keys (API_KEYS, comma-separated). Off when none are configured. The key arrives as
 * `Authorization: Bearer <key>` or `X-API-Key`; only its hash is kept (as the job owner).
 */
export function apiKeyAuth(keys: readonly string[]): RequestHandler {
  const hashes = keys.map(hash);
  return (req, _res, next) => {
    if (hashes.length === 0) return next();
    const auth = req.get('Authorization');
    // The scheme is case-insensitive (RFC 9110 §11.1).
    const bearer = auth?.match(/^bearer\s+(.+)$/i)?.[1]?.trim();
    const key = bearer ?? req.get('X-API-Key');
    if (!key) return next(new AppError(401, 'unauthorized', 'an API key is required', { headers: { 'WWW-Authenticate': 'Bearer' } }));
    const h = hash(key);
    if (!hashes.some((k) => timingSafeEqual(k, h))) return next(new AppError(403, 'forbidden', 'the API key is not valid'));
    req.owner = h.toString('hex').slice(0, 32);
    next();
  };
}
