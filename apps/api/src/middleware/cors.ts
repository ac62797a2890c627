/**
 * CORS for web desks calling the API from their own pages. Off unless CORS_ORIGINS lists origins
 * (exact `scheme://host[:port]`, or `*` for any). For a listed origin: its preflight is answered here,
 * before auth (a browser sends no credentials on a preflight), and every answer names the origin and
 * exposes the headers a client reads. An origin not listed gets no CORS headers, so the browser keeps
 * the answer from the page; its preflight is a 403 JSON error.
 */
import type { RequestHandler } from 'express';
import { AppError, type Config } from '@ca/shared';

const EXPOSED = ['Location', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'X-Request-Id', 'X-Cache'].join(', ');
const ALLOWED_HEADERS = ['Authorization', 'X-API-Key', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'Last-Event-ID'].join(', ');
const METHODS = 'GET, POST, DELETE, OPTIONS';

export function cors(cfg: Config): RequestHandler {
  const origins = new Set(cfg.CORS_ORIGINS.map((o) => o.replace(/\/$/, '').toLowerCase()));
  const any = origins.has('*');
  return (req, res, next) => {
    const origin = req.get('Origin');
    if (!origin || origins.size === 0) return next();
    const allowed = any || origins.has(origin.toLowerCase());
    res.vary('Origin');
    const preflight = req.method === 'OPTIONS' && req.get('Access-Control-Request-Method') !== undefined;
    if (!allowed) {
      if (preflight) return next(new AppError(403, 'origin_not_allowed', 'this origin may not call the API (CORS_ORIGINS)', { details: { origin: origin.slice(0, 200) } }));
      return next();
    }
    res.set({ 'Access-Control-Allow-Origin': any ? '*' : origin, 'Access-Control-Expose-Headers': EXPOSED });
    if (!preflight) return next();
    res.set({ 'Access-Control-Allow-Methods': METHODS, 'Access-Control-Allow-Headers': ALLOWED_HEADERS, 'Access-Control-Max-Age': '600' });
    res.status(204).end();
  };
}
