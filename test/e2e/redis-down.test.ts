/**
 * Redis unreachable: the API stays up, says so, and answers 503 with Retry-After at once instead of
 * hanging — for task routes, job reads and readiness — while /healthz and /metrics keep answering; and
 * the same within a command deadline when Redis is connected but hung.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis, loadConfig, REQUEST_COMMAND_TIMEOUT_MS } from '@ca/shared';
import { phantomWorker, startApi } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/processes.js';
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
  const deps = await createDeps(cfg, createLogger('t', 'silent'), redis);
  for (const q of [...Object.values(deps.jobs.queues), deps.jobs.webhooks]) q.on('error', () => undefined);
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

describe('Redis hung (SIGSTOP: connected, never answering)', () => {
  it('requests answer 503 redis_unavailable within the command deadline, and recover when it answers again', async () => {
    const server = await startRedisServer();
    const a = await startApi({ ...testEnv(testPrefix('hung')), REDIS_URL: server.url });
    await phantomWorker(a, 'nlp');
    const accepted = await post(a.url, '/jobs/question-answering', { context: 'Refunds take five days.', question: 'How long?' });
    expect(accepted.status).toBe(202);
    process.kill(server.pid, 'SIGSTOP');
    try {
      for (const send of [
        () => post(a.url, '/question-answering', { context: 'a', question: 'b' }),
        () => post(a.url, '/jobs/summarize-text', { text: 'A customer asked about a refund.' }),
        () => get(a.url, `/jobs/${accepted.body.id}`),
      ]) {
        const t0 = Date.now();
        const r = await send();
        // A refused Redis answers at once; a hung one within REQUEST_COMMAND_TIMEOUT_MS and a little.
        expect(Date.now() - t0).toBeLessThan(REQUEST_COMMAND_TIMEOUT_MS * 2 + 1000);
        expect(r.status, JSON.stringify(r.body)).toBe(503);
        expect(r.body.error.code).toBe('redis_unavailable');
        expect(r.headers.get('retry-after')).toBeTruthy();
      }
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    await waitFor(async () => (await get(a.url, `/jobs/${accepted.body.id}`)).status === 200, 15_000, 'answers again');
    expect((await get(a.url, `/jobs/${accepted.body.id}`)).body.status).toBe('queued');
    await a.close();
    await server.stop();
  });
});
