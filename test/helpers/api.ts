/** The API in the test process, on an ephemeral port, against the real Redis. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createLogger, createRedis, keys, loadConfig, waitReady, type Config } from '@ca/shared';
import { createApp } from '../../apps/api/src/app.js';
import { createDeps, type AppDeps } from '../../apps/api/src/context.js';
import { listen } from '../../apps/api/src/server.js';
import { obliterate } from './redis.js';
import { phantomRecord } from './phantom.js';

export interface ApiHandle {
  url: string;
  cfg: Config;
  deps: AppDeps;
  /** Stop it; its Redis keys are deleted unless `keepData` (another instance takes over). */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startApi(env: Record<string, string>, logTo?: { write(s: string): void }): Promise<ApiHandle> {
  const cfg = loadConfig(env);
  const redis = createRedis(cfg.REDIS_URL, { name: 'ca-test-api' });
  await waitReady(redis);
  const deps = await createDeps(cfg, createLogger('ca-api-test', cfg.LOG_LEVEL, logTo), redis);
  const app = createApp(deps);
  const server: Server = await new Promise((resolve) => {
    const s = listen(app, cfg, 0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    cfg,
    deps,
    async close(opts = {}) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await deps.close();
      if (!opts.keepData) await obliterate(redis, cfg.QUEUE_PREFIX);
      await redis.quit();
    },
  };
}

/**
 * Register a worker that serves a domain but never consumes: jobs stay queued. (A heartbeat record is
 * all the API reads to decide a domain is served.) Returns its removal.
 */
export async function phantomWorker(a: ApiHandle, ...domains: string[]): Promise<() => Promise<unknown>> {
  const k = keys(a.cfg.QUEUE_PREFIX);
  const rec = phantomRecord('phantom', domains);
  await a.deps.redis.multi().set(k.worker('phantom'), JSON.stringify(rec), 'PX', 60_000).zadd(k.workers, Date.now() + 60_000, 'phantom').exec();
  return () => a.deps.redis.multi().del(k.worker('phantom')).zrem(k.workers, 'phantom').exec();
}
