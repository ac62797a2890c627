/**
 * Redis unreachable: the API stays up, says so, and answers 503 with Retry-After at once instead of
 * hanging — for task routes, job reads and readiness — while /healthz and /metrics keep answering.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis, loadConfig } from '@ca/shared';
import { createApp } from '../../apps/api/src/app.js';
import { createDeps } from '../../apps/api/src/context.js';
import { get, post } from '../helpers/http.js';

let server: Server;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  // Port 1 on loopback: nothing listens there.
  const cfg = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent', QUEUE_PREFIX: '{t-down}' });
  const redis = createRedis(cfg.REDIS_URL, { name: 'ca-test-down' });
  redis.on('error', () => undefined);
  const deps = createDeps(cfg, createLogger('t', 'silent'), redis);
  for (const q of Object.values(deps.jobs.queues)) q.on('error', () => undefined);
  const app = createApp(deps);
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    redis.disconnect();
  };
});
afterAll(() => close());

describe('Redis down', () => {
  it('task routes answer 503 redis_unavailable with Retry-After, at once', async () => {
    const t0 = Date.now();
    const r = await post(url, '/question-answering', { context: 'a', question: 'b' });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('redis_unavailable');
    expect(r.headers.get('retry-after')).toBeTruthy();
  });

  it('job reads answer 503 too, not 404', async () => {
    const r = await get(url, '/jobs/nlp_AAAAAAAAAAAAAAAAAAAAAA');
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('redis_unavailable');
  });

  it('/readyz is 503 naming Redis; /healthz and /metrics still answer', async () => {
    const ready = await get(url, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.redis).toBe('unreachable');
    expect((await get(url, '/healthz')).status).toBe(200);
    const m = await get(url, '/metrics');
    expect(m.status).toBe(200);
    expect(m.body).toContain('ca_queue_jobs_scrape_success 0');
  });
});
