import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '@ca/shared';
import type { AppDeps } from '../../src/context.js';
import { errorHandler } from '../../src/middleware/errors.js';
import { RateLimiter, rateLimitMiddleware } from '../../src/services/ops/rate-limit.js';
import { cleanup, connect, sleep, uniquePrefix } from './redis.js';

const prefix = uniquePrefix('rl');
let redis: Redis;
let redis2: Redis;
let n = 0;
/** A fresh bucket name per test: tests share the prefix but never a bucket. */
const bucket = () => `client-${++n}`;

beforeAll(() => {
  redis = connect();
  redis2 = connect();
});
afterAll(async () => {
  await cleanup(redis, prefix);
  redis.disconnect();
  redis2.disconnect();
});

describe('RateLimiter', () => {
  it('lets a burst of n through, refuses n+1 with a sane retry time, and reports remaining/reset', async () => {
    const rl = new RateLimiter(redis, prefix, { burst: 3, refill: 1, intervalS: 10 });
    const b = bucket();
    const got = [await rl.take(b), await rl.take(b), await rl.take(b)];
    expect(got.map((r) => r.allowed)).toEqual([true, true, true]);
    expect(got.map((r) => r.remaining)).toEqual([2, 1, 0]);
    expect(got.every((r) => r.limit === 3 && r.retryAfterS === 0)).toBe(true);
    expect(got[2]!.resetS).toBeGreaterThan(29);
    expect(got[2]!.resetS).toBeLessThanOrEqual(30);
    const refused = await rl.take(b);
    expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0, scope: 'client' });
    // One token takes intervalS / refill = 10 s; a little of it has already passed.
    expect(refused.retryAfterS).toBeGreaterThan(9);
    expect(refused.retryAfterS).toBeLessThanOrEqual(10);
  });

  it('refills over time', async () => {
    const rl = new RateLimiter(redis, prefix, { burst: 5, refill: 5, intervalS: 0.5 });
    const b = bucket();
    for (let i = 0; i < 5; i++) expect((await rl.take(b)).allowed).toBe(true);
    const refused = await rl.take(b);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterS).toBeGreaterThan(0);
    expect(refused.retryAfterS).toBeLessThanOrEqual(0.1);
    await sleep(600);
    const again = await Promise.all(Array.from({ length: 6 }, () => rl.take(b)));
    expect(again.filter((r) => r.allowed).length).toBe(5);
  });

  it('is exact under concurrency: 50 concurrent takes against burst 10 → exactly 10 allowed', async () => {
    const rl = new RateLimiter(redis, prefix, { burst: 10, refill: 1, intervalS: 3600 });
    const b = bucket();
    const out = await Promise.all(Array.from({ length: 50 }, () => rl.take(b)));
    expect(out.filter((r) => r.allowed).length).toBe(10);
    expect(out.filter((r) => !r.allowed).every((r) => r.remaining === 0 && r.retryAfterS > 0)).toBe(true);
  });

  it('two connections (two API processes) share one bucket exactly', async () => {
    const opts = { burst: 6, refill: 1, intervalS: 3600 };
    const a = new RateLimiter(redis, prefix, opts);
    const c = new RateLimiter(redis2, prefix, opts);
    const b = bucket();
    const out = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : c).take(b)));
    expect(out.filter((r) => r.allowed).length).toBe(6);
  });

  it('applies the global bucket across clients without charging the other bucket on refusal', async () => {
    const p = uniquePrefix('rlg'); // its own global bucket
    const rl = new RateLimiter(redis, p, { burst: 10, refill: 1, intervalS: 3600, globalBurst: 3, globalRefill: 1 });
    try {
      const clients = ['a', 'b', 'c', 'd'];
      const out: Awaited<ReturnType<RateLimiter['take']>>[] = [];
      for (const c of clients) out.push(await rl.take(c));
      expect(out.map((r) => r.allowed)).toEqual([true, true, true, false]);
      expect(out[3]).toMatchObject({ scope: 'global', limit: 3, remaining: 0 });
      expect(out[3]!.retryAfterS).toBeGreaterThan(3500);
      // The refused client's own bucket was not charged.
      const noGlobal = new RateLimiter(redis, p, { burst: 10, refill: 1, intervalS: 3600 });
      expect((await noGlobal.take('d')).remaining).toBe(9);
    } finally {
      await cleanup(redis, p);
    }
  });

  it('a client refusal does not charge the global bucket', async () => {
    const p = uniquePrefix('rlg2');
    const rl = new RateLimiter(redis, p, { burst: 1, refill: 1, intervalS: 3600, globalBurst: 3 });
    try {
      expect((await rl.take('a')).allowed).toBe(true);
      for (let i = 0; i < 5; i++) expect(await rl.take('a')).toMatchObject({ allowed: false, scope: 'client' });
      expect((await rl.take('b')).allowed).toBe(true);
      expect((await rl.take('c')).allowed).toBe(true);
      expect(await rl.take('d')).toMatchObject({ allowed: false, scope: 'global' });
    } finally {
      await cleanup(redis, p);
    }
  });

  it('expires bucket keys at their time-to-full and never stores the raw bucket name', async () => {
    const p = uniquePrefix('rlttl');
    const rl = new RateLimiter(redis, p, { burst: 2, refill: 1, intervalS: 10 });
    try {
      await rl.take('secret-api-key');
      const [, found] = await redis.scan('0', 'MATCH', `${keys(p).rateLimit('')}*`, 'COUNT', 1000);
      expect(found.length).toBe(1);
      expect(found[0]).not.toContain('secret');
      // One token spent, 1 token per 10 s: full again in 10 s.
      const ttl1 = await redis.pttl(found[0]!);
      expect(ttl1).toBeGreaterThan(9_000);
      expect(ttl1).toBeLessThanOrEqual(10_000);
      await rl.take('secret-api-key');
      const ttl2 = await redis.pttl(found[0]!);
      expect(ttl2).toBeGreaterThan(19_000);
      expect(ttl2).toBeLessThanOrEqual(20_000);
    } finally {
      await cleanup(redis, p);
    }
  });

  it('burst 0 turns limiting off and never calls Redis', async () => {
    const broken = { defineCommand: () => undefined } as unknown as Redis; // any call would throw
    const rl = new RateLimiter(broken, prefix, { burst: 0, refill: 1, intervalS: 1 });
    for (let i = 0; i < 20; i++) expect((await rl.take('x')).allowed).toBe(true);
  });
});

describe('rateLimitMiddleware', () => {
  let server: Server;
  let base: string;
  const rejected: string[] = [];

  beforeAll(async () => {
    const rl = new RateLimiter(redis, prefix, { burst: 2, refill: 1, intervalS: 30 });
    const off = new RateLimiter(redis, prefix, { burst: 0, refill: 1, intervalS: 30 });
    const app = express();
    const identify = (req: express.Request) => `mw-${String(req.headers['x-client'] ?? 'anon')}`;
    app.get('/limited', rateLimitMiddleware(rl, { identify, onReject: (scope) => rejected.push(scope) }), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/open', rateLimitMiddleware(off, { identify }), (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorHandler({ redis, log: console } as unknown as AppDeps));
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sets RateLimit-* headers on passing responses and answers 429 with Retry-After when empty', async () => {
    const h = { 'x-client': 'one' };
    const r1 = await fetch(`${base}/limited`, { headers: h });
    const r2 = await fetch(`${base}/limited`, { headers: h });
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(r1.headers.get('ratelimit-limit')).toBe('2');
    expect([r1.headers.get('ratelimit-remaining'), r2.headers.get('ratelimit-remaining')]).toEqual(['1', '0']);
    expect(Number(r2.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(59);
    expect(Number(r2.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(60);

    const r3 = await fetch(`${base}/limited`, { headers: h });
    expect(r3.status).toBe(429);
    expect(r3.headers.get('retry-after')).toBe('30');
    expect(r3.headers.get('ratelimit-remaining')).toBe('0');
    const body = (await r3.json()) as { error: { code: string; details: Record<string, unknown> } };
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.details).toMatchObject({ limit: 2, retry_after_s: 30 });
    expect(rejected).toEqual(['client']);

    // Another client has its own bucket.
    expect((await fetch(`${base}/limited`, { headers: { 'x-client': 'two' } })).status).toBe(200);
  });

  it('passes everything without headers when limiting is off', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${base}/open`);
      expect(r.status).toBe(200);
      expect(r.headers.get('ratelimit-limit')).toBeNull();
    }
  });
});
