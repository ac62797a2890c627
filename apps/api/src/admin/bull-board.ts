/**
 * Bull Board at `/admin/queues` for every domain queue (DESIGN §3 "Ops"), behind HTTP Basic auth.
 *
 * - No ADMIN_USER/ADMIN_PASSWORD: the route does not exist (404, same body as any unknown route), so
 *   an unconfigured deployment exposes neither the board nor the fact that it could have one.
 * - ADMIN_READ_ONLY=true: the adapters run in read-only mode (no retry, clean, remove, pause).
 * - Job data never holds uploads (they live in their own Redis keys), but a job's text input can be a
 *   customer's whole message: long strings are cut for display.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type express from 'express';
import type { RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { AppError, domainOfQueue, laneOfQueue, type QueueName } from '@ca/shared';
import type { AppDeps } from '../context.js';

export const ADMIN_PATH = '/admin/queues';
/** Strings in job data longer than this are shown cut, with the original length. */
export const MAX_SHOWN_CHARS = 200;

/** A copy of `v` with every string over `max` characters cut (objects and arrays walked). */
export function truncateStrings(v: unknown, max = MAX_SHOWN_CHARS, depth = 0): unknown {
  if (typeof v === 'string') return v.length > max ? `${v.slice(0, max)}… [${v.length} chars]` : v;
  if (depth > 20 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => truncateStrings(x, max, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, truncateStrings(x, max, depth + 1)]));
}

// Comparing fixed-length digests keeps the comparison time independent of where the inputs differ
// and of their lengths (timingSafeEqual itself needs equal lengths).
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function basicAuth(user: string, password: string, realm = 'CustomerAssist admin'): RequestHandler {
  const u = digest(user);
  const p = digest(password);
  return (req, _res, next) => {
    const h = req.get('Authorization') ?? '';
    const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(h.trim());
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const i = decoded.indexOf(':');
    // Both halves are always compared (no short-circuit) so a wrong user costs as much as a wrong password.
    const userOk = timingSafeEqual(digest(i >= 0 ? decoded.slice(0, i) : ''), u);
    const passOk = timingSafeEqual(digest(i >= 0 ? decoded.slice(i + 1) : ''), p);
    if (m && i >= 0 && userOk && passOk) return next();
    next(
      new AppError(401, 'unauthorized', 'admin credentials are required', {
        headers: { 'WWW-Authenticate': `Basic realm="${realm}", charset="UTF-8"` },
      }),
    );
  };
}

/**
 * Bull Board's page template links a Google Fonts stylesheet: the only thing the board would load from
 * outside the service. It is served from a copy of the template without that link (the page falls back
 * to the system's sans-serif and monospace fonts), written once per process to a temporary folder.
 */
function localTemplateDir(): string {
  const api = createRequire(import.meta.url).resolve('@bull-board/api');
  const ui = path.dirname(createRequire(api).resolve('@bull-board/ui/package.json'));
  const original = readFileSync(path.join(ui, 'dist/index.ejs'), 'utf8');
  const local = original.replace(/^\s*<link[^>]*fonts\.(googleapis|gstatic)\.com[^>]*>\s*$/gm, '');
  const dir = path.join(os.tmpdir(), `ca-bull-board-${createHash('sha256').update(local).digest('hex').slice(0, 12)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.ejs'), local);
  return dir;
}

export function mountAdmin(app: express.Express, deps: AppDeps): void {
  const { ADMIN_USER: user, ADMIN_PASSWORD: password, ADMIN_READ_ONLY: readOnly } = deps.cfg;
  if (!user || !password) {
    // Answered here rather than left to the final 404 handler, which runs after API-key auth (a 401
    // there would reveal that something lives at this path).
    app.use(ADMIN_PATH, (req, _res, next) => next(new AppError(404, 'not_found', `no route for ${req.method} ${req.originalUrl.split('?')[0]!.slice(0, 200)}`)));
    return;
  }

  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(ADMIN_PATH);
  const queues = (Object.entries(deps.jobs.queues) as [QueueName, (typeof deps.jobs.queues)[QueueName]][]).map(([name, queue]) => {
    const description = laneOfQueue(name) === 'batch' ? `${domainOfQueue(name)} batch items` : `${name} tasks`;
    const adapter = new BullMQAdapter(queue, { readOnlyMode: readOnly, description });
    adapter.setFormatter('data', (data: unknown) => truncateStrings(data));
    return adapter;
  });
  createBullBoard({ queues, serverAdapter, options: { uiConfig: { boardTitle: 'CustomerAssist queues' } } });
  serverAdapter.setViewsPath(localTemplateDir());
  // Read-only is enforced here for every action, whatever the board's own handlers do (its "pause
  // all" answered 200 in read-only mode): anything but a read is 405.
  const readsOnly: express.RequestHandler = (req, res, next) => {
    if (!readOnly || req.method === 'GET' || req.method === 'HEAD') return next();
    res.set('Allow', 'GET, HEAD');
    next(new AppError(405, 'read_only', 'the admin UI is in read-only mode (ADMIN_READ_ONLY)'));
  };
  app.use(ADMIN_PATH, basicAuth(user, password), readsOnly, serverAdapter.getRouter() as express.Router);
}
