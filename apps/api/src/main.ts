import { captureConsole, createLogger, createRedis, loadConfigOrExit, onParentGone, waitReady, within } from '@ca/shared';
import { createApp } from './app.js';
import { createDeps } from './context.js';
import { listen } from './server.js';

const cfg = loadConfigOrExit();
const log = createLogger('ca-api', cfg.LOG_LEVEL);
captureConsole(() => log);
const redis = createRedis(cfg.REDIS_URL, { name: 'ca-api' });
await waitReady(redis, 10_000).catch((e: Error) => log.warn({ err: e.message }, 'Redis not reachable yet; serving 503 until it is'));
const deps = await createDeps(cfg, log, redis);
const app = createApp(deps);
const server = listen(app, cfg, cfg.PORT, cfg.HOST, () => log.info({ port: cfg.PORT }, 'API listening'));
// A port that is taken (or not ours to bind) is a setting to change, not a crash to retry: exit code 2, as
// for any other refused setting, so a supervisor stops instead of restarting us in a loop.
server.on('error', (e: NodeJS.ErrnoException) => {
  log.fatal({ err: e.message, port: cfg.PORT, host: cfg.HOST }, e.code === 'EADDRINUSE' ? 'the port is in use: set PORT to a free one' : 'cannot listen');
  process.exit(2);
});

/**
 * SIGTERM drains: /readyz turns 503, the port stops accepting, synchronous calls still waiting answer
 * 202 with their job's link (the jobs go on), responses in progress finish; then the process exits 0.
 * Connections still open after API_DRAIN_MS are closed.
 */
const API_DRAIN_MS = 10_000;
let stopping = false;
async function drain(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down: draining requests');
  deps.lifecycle.draining = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  deps.jobs.stopWaiting();
  // Keep-alive connections turn idle as their last response ends: close them as they do.
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  const inTime = await within(closed, API_DRAIN_MS);
  clearInterval(idle);
  if (!inTime) {
    log.warn({ drain_ms: API_DRAIN_MS }, 'closing connections still open after the drain');
    server.closeAllConnections();
  }
  await deps.close().catch(() => undefined);
  await redis.quit().catch(() => undefined);
  process.exit(0);
}
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void drain(sig));
onParentGone(() => void drain('supervisor gone'));
