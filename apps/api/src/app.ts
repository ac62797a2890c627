import express from 'express';
import { ADMIN_PATH, mountAdmin } from './admin/bull-board.js';
import type { AppDeps } from './context.js';
import { mountDocs } from './docs/mount.js';
import { apiKeyAuth } from './middleware/auth.js';
import { cors } from './middleware/cors.js';
import { errorHandler, notFound } from './middleware/errors.js';
import { taskRateLimit } from './middleware/rate-limit.js';
import { requestId } from './middleware/request-id.js';
import { accessLog } from './middleware/access-log.js';
import { TASK_NAMES } from '@ca/shared';
import { batchRoutes, JSON_LINES } from './routes/batches.js';
import { eventRoutes } from './routes/events.js';
import { jobRoutes } from './routes/jobs.js';
import { opsRoutes } from './routes/ops.js';
import { taskRoutes } from './routes/tasks.js';

/**
 * On every answer: no MIME sniffing, no referrer sent on, no framing. Task and job answers carry a
 * client's own data (results, job states), so no cache on the way may keep them. A Content-Security-
 * Policy: JSON answers may load nothing; the two HTML pages (Swagger UI, Bull Board) run only their own
 * scripts from this origin and talk only to it. Both set inline styles, which is all 'unsafe-inline'
 * allows here; Bull Board's link to an outside font host is refused (the page falls back to local fonts).
 */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
const isPage = (path: string) => path === '/docs' || path.startsWith('/docs/') || path === ADMIN_PATH || path.startsWith(`${ADMIN_PATH}/`);

const NO_STORE = new Set(TASK_NAMES.map((t) => `/${t}`));
const securityHeaders: express.RequestHandler = (req, res, next) => {
  // setHeader, not res.set: these run on every request, and res.set re-checks each value's type.
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', isPage(req.path) ? PAGE_CSP : API_CSP);
  if (req.path.startsWith('/jobs') || NO_STORE.has(req.path)) res.setHeader('Cache-Control', 'no-store');
  next();
};

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every answer for an ETag; task and job answers are no-store, so none would be revalidated.
  app.disable('etag');
  app.set('trust proxy', deps.cfg.TRUST_PROXY);
  app.use(requestId);
  app.use(accessLog(deps.log));
  app.use(securityHeaders);
  // Before auth and the rate limit: a preflight carries no credentials.
  app.use(cors(deps.cfg));
  app.use(deps.metrics.middleware);

  // Ops endpoints: no auth, no rate limit.
  app.use(opsRoutes(deps));
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  // Docs and admin UI: before the JSON parser and API-key auth (the board has its own Basic auth).
  mountDocs(app, deps.cfg);
  mountAdmin(app, deps);

  app.use(apiKeyAuth(deps));
  // Task submissions are rate limited (after auth: the bucket is per key) before any body is read.
  // A batch costs one token, like any submit (README "Batches").
  app.post([...TASK_NAMES.map((t) => `/${t}`), '/jobs/:task', '/batches/:task'], taskRateLimit(deps));
  // Batches have a larger body limit of their own, and take JSON Lines too.
  app.post('/batches/:task', express.json({ limit: deps.cfg.BATCH_MAX_BYTES, strict: true }), express.text({ type: JSON_LINES, limit: deps.cfg.BATCH_MAX_BYTES }));
  app.use(express.json({ limit: deps.cfg.MAX_JSON_BYTES, strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(taskRoutes(deps));
  app.use(jobRoutes(deps));
  app.use(eventRoutes(deps));
  app.use(batchRoutes(deps));
  app.use(notFound);
  app.use(errorHandler(deps));
  return app;
}
