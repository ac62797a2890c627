/** The API in the test process, on an ephemeral port, against the real Redis. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createLogger, createRedis, loadConfig, waitReady, type Config } from '@ca/shared';
import { createApp } from '../../apps/api/src/app.js';
import { createDeps, type AppDeps } from '../../apps/api/src/context.js';
import { listen } from '../../apps/api/src/server.js';
import { obliterate } from './redis.js';

export interface ApiHandle {
  url: string;
  cfg: Config;
  deps: AppDeps;
  close(): Promise<void>;
}

export async function startApi(env: Record<string, string>, logTo?: { write(s: string): void }): Promise<ApiHandle> {
  const cfg = loadConfig(env);
  const redis = createRedis(cfg.REDIS_URL, { name: 'ca-test-api' });
  await waitReady(redis);
  const deps = createDeps(cfg, createLogger('ca-api-test', cfg.LOG_LEVEL, logTo), redis);
  const app = createApp(deps);
  const server: Server = await new Promise((resolve) => {
    const s = listen(app, 0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    cfg,
    deps,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await deps.jobs.close();
      await obliterate(redis, cfg.QUEUE_PREFIX);
      await redis.quit();
    },
  };
}
