import { createLogger, createRedis, loadConfigOrExit, waitReady } from '@ca/shared';
import { createApp } from './app.js';
import { createDeps } from './context.js';
import { listen } from './server.js';

const cfg = loadConfigOrExit();
const log = createLogger('ca-api', cfg.LOG_LEVEL);
const redis = createRedis(cfg.REDIS_URL, { name: 'ca-api' });
redis.on('error', () => undefined); // reconnects on its own; requests answer 503 meanwhile
await waitReady(redis, 10_000).catch((e: Error) => log.warn({ err: e.message }, 'Redis not reachable yet; serving 503 until it is'));
const deps = createDeps(cfg, log, redis);
const app = createApp(deps);
const server = listen(app, cfg.PORT, cfg.HOST, () => log.info({ port: cfg.PORT }, 'API listening'));
server.requestTimeout = cfg.SYNC_TIMEOUT_MS + 30_000;

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    log.info({ signal: sig }, 'shutting down');
    server.close();
    server.closeIdleConnections();
    deps.jobs
      .close()
      .finally(() => redis.quit().catch(() => undefined))
      .finally(() => process.exit(0));
  });
}
