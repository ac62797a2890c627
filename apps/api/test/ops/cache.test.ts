import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKeyFor, keys, ResponseCache } from '@ca/shared';
import { cleanup, connect, sleep, uniquePrefix } from './redis.js';

const prefix = uniquePrefix('cache');
let redis: Redis;
let redis2: Redis;

beforeAll(() => {
  redis = connect();
  redis2 = connect();
});
afterAll(async () => {
  await cleanup(redis, prefix);
  redis.disconnect();
  redis2.disconnect();
});

describe('cacheKeyFor', () => {
  const k = (input: unknown, model = 'm', revision = 'main', task = 'summarize-text') => cacheKeyFor(task, model, revision, input);

  it('is a sha256 hex digest, stable across key order', () => {
    expect(k({ text: 'a', max_length: 10 })).toMatch(/^[0-9a-f]{64}$/);
    expect(k({ text: 'a', max_length: 10 })).toBe(k({ max_length: 10, text: 'a' }));
    expect(k({ a: { y: 1, x: [1, { q: 2, p: 1 }] } })).toBe(k({ a: { x: [1, { p: 1, q: 2 }], y: 1 } }));
  });

  it('normalises whitespace and Unicode in strings', () => {
    expect(k({ text: 'Hello  world ' })).toBe(k({ text: 'Hello world' }));
    expect(k({ text: '\tHello\n\n world' })).toBe(k({ text: 'Hello world' }));
    // "é" precomposed (NFC) vs e + combining acute (NFD).
    expect(k({ text: 'caf\u00e9' })).toBe(k({ text: 'cafe\u0301' }));
    expect(k({ text: 'Hello world' })).not.toBe(k({ text: 'hello world' }));
    expect(k({ text: 'a', extra: undefined })).toBe(k({ text: 'a' }));
  });

  it('differs by task, model, revision and input', () => {
    const base = k({ text: 'x' });
    expect(k({ text: 'x' }, 'other-model')).not.toBe(base);
    expect(k({ text: 'x' }, 'm', 'v2')).not.toBe(base);
    expect(k({ text: 'x' }, 'm', 'main', 'translate-text')).not.toBe(base);
    expect(k({ text: 'y' })).not.toBe(base);
    expect(k({ text: 'x', max_length: 1 })).not.toBe(base);
  });
});

describe('ResponseCache', () => {
  it('misses, then hits with the stored JSON value', async () => {
    const c = new ResponseCache(redis, prefix, 60);
    const h = cacheKeyFor('summarize-text', 'm', 'main', { text: 'hit-miss' });
    expect(await c.get('summarize-text', h)).toBeUndefined();
    await c.set('summarize-text', h, { summary: 'short', n: 1 });
    expect(await c.get('summarize-text', h)).toEqual({ summary: 'short', n: 1 });
    // Another process sees it, and the key has the TTL.
    expect(await new ResponseCache(redis2, prefix, 60).get('summarize-text', h)).toEqual({ summary: 'short', n: 1 });
    const ttl = await redis.ttl(keys(prefix).cache('summarize-text', h));
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('treats an unreadable entry as a miss', async () => {
    const c = new ResponseCache(redis, prefix, 60);
    await redis.set(keys(prefix).cache('t', 'garbage'), '{not json');
    expect(await c.get('t', 'garbage')).toBeUndefined();
  });

  it('expires entries after ttl', async () => {
    const c = new ResponseCache(redis, prefix, 1);
    await c.set('t', 'expiring', { v: 1 });
    expect(await c.get('t', 'expiring')).toEqual({ v: 1 });
    await sleep(1_200);
    expect(await c.get('t', 'expiring')).toBeUndefined();
  });

  it('ttl 0 turns the cache off', async () => {
    const c = new ResponseCache(redis, prefix, 0);
    expect(c.enabled).toBe(false);
    await c.set('t', 'off', { v: 1 });
    expect(await redis.exists(keys(prefix).cache('t', 'off'))).toBe(0);
    await new ResponseCache(redis, prefix, 60).set('t', 'off', { v: 1 });
    expect(await c.get('t', 'off')).toBeUndefined();
  });
});

describe('in-flight sharing', () => {
  it('20 concurrent claims from two connections all get the same owner', async () => {
    const a = new ResponseCache(redis, prefix, 60);
    const b = new ResponseCache(redis2, prefix, 60);
    const ids = Array.from({ length: 20 }, (_, i) => `job-${i}`);
    const owners = await Promise.all(ids.map((id, i) => (i % 2 ? a : b).claimInflight('qa', 'race', id, 30_000)));
    expect(new Set(owners).size).toBe(1);
    expect(ids).toContain(owners[0]);
    const pttl = await redis.pttl(keys(prefix).inflight('qa', 'race'));
    expect(pttl).toBeGreaterThan(25_000);
  });

  it('only the owner releases; afterwards the slot can be claimed again', async () => {
    const c = new ResponseCache(redis, prefix, 60);
    expect(await c.claimInflight('qa', 'rel', 'owner', 30_000)).toBe('owner');
    expect(await c.claimInflight('qa', 'rel', 'late', 30_000)).toBe('owner');
    expect(await c.releaseInflight('qa', 'rel', 'late')).toBe(false);
    expect(await redis.get(keys(prefix).inflight('qa', 'rel'))).toBe('owner');
    expect(await c.releaseInflight('qa', 'rel', 'owner')).toBe(true);
    expect(await redis.exists(keys(prefix).inflight('qa', 'rel'))).toBe(0);
    expect(await c.releaseInflight('qa', 'rel', 'owner')).toBe(false);
    expect(await c.claimInflight('qa', 'rel', 'next', 30_000)).toBe('next');
  });
});
