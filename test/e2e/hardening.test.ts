/**
 * Safe defaults at the edge: forwarding headers believed only from configured proxies (a client cannot
 * choose its own rate-limit bucket), security headers, the Bearer scheme in any case, wrong keys rate
 * limited, slow clients timed out, and a Redis that is full answering 503 with Retry-After, leaving
 * nothing half-written.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { phantomWorker, startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { form, productPhoto } from '../helpers/media.js';
import { get, post } from '../helpers/http.js';
import { startRedisServer } from '../helpers/redis-server.js';

const apis: ApiHandle[] = [];
const stops: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const a of apis) await a.close();
  for (const s of stops) await s();
});
async function api(extra: Record<string, string>, env = testEnv(testPrefix('edge'), extra)) {
  const a = await startApi(env);
  apis.push(a);
  return a;
}
const QA = { context: 'Refunds take five days.', question: 'How long do refunds take?' };
const spoofed = (i: number) => ({ 'X-Forwarded-For': `203.0.113.${i}` });

describe('forwarding headers', () => {
  it('by default X-Forwarded-For is not believed: spoofed addresses share the client’s one bucket', async () => {
    const a = await api({ RATE_LIMIT_BURST: '3', RATE_LIMIT_REFILL: '1', RATE_LIMIT_INTERVAL_S: '60' });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await post(a.url, '/jobs/question-answering', QA, spoofed(i))).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });

  it('from a configured proxy (TRUST_PROXY=loopback) each forwarded client has its own bucket', async () => {
    const a = await api({ RATE_LIMIT_BURST: '3', RATE_LIMIT_REFILL: '1', RATE_LIMIT_INTERVAL_S: '60', TRUST_PROXY: 'loopback' });
    for (let i = 0; i < 8; i++) expect((await post(a.url, '/jobs/question-answering', QA, spoofed(i))).status).not.toBe(429);
  });
});

describe('headers and auth', () => {
  it('every answer says nosniff and may not be framed; task and job answers are no-store; JSON may load nothing, the pages only their own origin', async () => {
    const a = await api({ API_KEYS: 'k-1' });
    const open = await get(a.url, '/healthz');
    expect(open.headers.get('x-content-type-options')).toBe('nosniff');
    expect(open.headers.get('x-frame-options')).toBe('DENY');
    expect(open.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(open.headers.get('cache-control')).toBeNull();
    const docs = await get(a.url, '/docs/');
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(docs.headers.get('content-security-policy')).not.toContain('unsafe-eval');
    for (const r of [await post(a.url, '/question-answering', QA), await get(a.url, '/jobs/nlp_AAAAAAAAAAAAAAAAAAAAAA')]) {
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('the Bearer scheme is case-insensitive', async () => {
    const a = await api({ API_KEYS: 'k-1' });
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const r = await get(a.url, '/jobs/nlp_AAAAAAAAAAAAAAAAAAAAAA', { Authorization: `${scheme} k-1` });
      expect(r.status, scheme).toBe(404);
    }
    expect((await get(a.url, '/jobs/nlp_AAAAAAAAAAAAAAAAAAAAAA', { Authorization: 'bearer wrong' })).status).toBe(403);
  });
});

describe('wrong API keys', () => {
  it('cost the client address a token each: after 10, 429 with Retry-After; the right key still passes', async () => {
    const a = await api({ API_KEYS: 'k-1' });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await get(a.url, '/jobs/nlp_AAAAAAAAAAAAAAAAAAAAAA', { 'X-API-Key': `guess-${i}` })).status);
    expect(statuses).toEqual([...Array(10).fill(403), 429, 429]);
    const refused = await get(a.url, '/jobs/nlp_AAAAAAAAAAAAAAAAAAAAAA', { 'X-API-Key': 'guess-13' });
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await get(a.url, '/jobs/nlp_AAAAAAAAAAAAAAAAAAAAAA', { 'X-API-Key': 'k-1' })).status).toBe(404);
  });
});

describe('slow clients', () => {
  it('a client that never finishes its headers gets 408 request_timeout (JSON) and is disconnected', async () => {
    const a = await api({ HTTP_HEADERS_TIMEOUT_MS: '500' });
    const u = new URL(a.url);
    const t0 = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(u.port), u.hostname, () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
      let out = '';
      s.on('data', (d) => (out += d));
      s.on('close', () => resolve(out));
      s.on('error', reject);
    });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('request_timeout');
  });
});

describe('Redis full (maxmemory, noeviction)', () => {
  it('a submit is 503 redis_full with Retry-After, and leaves no job and no upload behind', async () => {
    const redis = await startRedisServer(['--maxmemory-policy', 'noeviction']);
    stops.push(redis.stop);
    const prefix = testPrefix('full');
    const a = await api({}, { ...testEnv(prefix), REDIS_URL: redis.url });
    await phantomWorker(a, 'nlp', 'vision');
    // Full, and staying full: 4 MB of data, then a limit 1 MB under what is used (buffers that shrink
    // meanwhile cannot make room for a write).
    for (let i = 0; i < 16; i++) await a.deps.redis.set(`filler:${i}`, Buffer.alloc(256 * 1024, 1));
    const used = Number(/used_memory:(\d+)/.exec(await a.deps.redis.info('memory'))![1]);
    await a.deps.redis.config('SET', 'maxmemory', String(used - 1024 * 1024));
    const before = await a.deps.redis.dbsize();
    for (const r of [
      await post(a.url, '/jobs/question-answering', QA, { 'Idempotency-Key': 'full-1' }),
      await post(a.url, '/jobs/extract-text', form(await productPhoto('png'), 'label.png')),
    ]) {
      expect(r.status, JSON.stringify(r.body)).toBe(503);
      expect(r.body.error.code).toBe('redis_full');
      expect(r.headers.get('retry-after')).toBeTruthy();
    }
    expect(await a.deps.redis.dbsize()).toBe(before);
  });
});
