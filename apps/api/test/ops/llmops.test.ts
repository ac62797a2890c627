import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, appendEvent, keys, type OpsEvent } from '@ca/shared';
import { parseWindow, percentile, summarize } from '../../src/services/ops/llmops.js';
import { cleanup, connect, uniquePrefix } from './redis.js';

const prefix = uniquePrefix('llmops');
let redis: Redis;

/** Event i (1..100): latency i ms; every 10th an error, every 4th a cache hit; i ≤ 40 translation. */
function event(i: number): OpsEvent {
  const ok = i % 10 !== 0;
  const cached = i % 4 === 0;
  return {
    ts: Date.now(),
    task: i <= 40 ? 'translate-text' : 'question-answering',
    model: 'm',
    ok,
    ...(ok ? {} : { code: 'inference_failed' }),
    cached,
    latency_ms: i,
    queue_wait_ms: cached ? 0 : i,
    inference_ms: cached ? 0 : 2 * i,
    tokens_in: 2,
    tokens_out: 1,
    quality: ok ? 1 : 0,
  };
}

beforeAll(async () => {
  redis = connect();
  // Old events first: explicit stream ids must be lower than every later (auto) id.
  const old = Date.now() - 3_600_000;
  for (let j = 0; j < 5; j++) {
    await redis.xadd(keys(prefix).events, `${old}-${j}`, 'task', 'old-task', 'ok', '1', 'cached', '0', 'latency_ms', '9999');
  }
  for (let i = 1; i <= 100; i++) await appendEvent(redis, prefix, event(i));
});
afterAll(async () => {
  await cleanup(redis, prefix);
  redis.disconnect();
});

describe('parseWindow', () => {
  it('parses s, m, h, d and defaults to 15m', () => {
    expect(parseWindow('30s')).toBe(30_000);
    expect(parseWindow('15m')).toBe(900_000);
    expect(parseWindow('1h')).toBe(3_600_000);
    expect(parseWindow('2d')).toBe(172_800_000);
    expect(parseWindow('7d')).toBe(604_800_000);
    expect(parseWindow(undefined)).toBe(900_000);
    expect(parseWindow('')).toBe(900_000);
  });

  it.each(['8d', '0m', '15', 'm', '1.5h', '-1h', '15 minutes', '1w', ['1h', '2h'], 5])('rejects %j with 422 invalid_window', (w) => {
    try {
      parseWindow(w);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect(e).toMatchObject({ status: 422, code: 'invalid_window' });
    }
  });
});

describe('percentile (nearest rank)', () => {
  it('returns observed values', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 99), percentile(xs, 100)]).toEqual([50, 95, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('summarize', () => {
  it('aggregates the window overall', async () => {
    const s = await summarize(redis, prefix, 900_000);
    expect(s.window_s).toBe(900);
    expect(Date.parse(s.to) - Date.parse(s.from)).toBe(900_000);
    expect(s.truncated).toBe(false);
    const o = s.overall;
    expect(o.count).toBe(100); // the five old events are outside the window
    expect(o.throughput_per_s).toBeCloseTo(100 / 900, 3);
    expect(o.errors).toBe(10);
    expect(o.error_rate).toBe(0.1);
    expect(o.latency_ms).toEqual({ avg: 50.5, p50: 50, p95: 95, p99: 99 });
    // Queue wait and inference only over the 75 events that ran a job (cache hits excluded).
    expect(o.queue_wait_ms).toEqual({ avg: 50, p95: 95 });
    expect(o.inference_ms).toEqual({ avg: 100 });
    expect(o.tokens).toEqual({ in: 200, out: 100 });
    expect(o.quality_mean).toBe(0.9);
    expect(o.cache_hits).toBe(25);
    expect(o.cache_hit_ratio).toBe(0.25);
  });

  it('splits by task', async () => {
    const s = await summarize(redis, prefix, 900_000);
    expect(Object.keys(s.by_task)).toEqual(['question-answering', 'translate-text']);
    const tr = s.by_task['translate-text']!;
    expect(tr).toMatchObject({ count: 40, errors: 4, error_rate: 0.1, cache_hits: 10, cache_hit_ratio: 0.25 });
    expect(tr.latency_ms).toEqual({ avg: 20.5, p50: 20, p95: 38, p99: 40 });
    const qa = s.by_task['question-answering']!;
    expect(qa).toMatchObject({ count: 60, errors: 6, error_rate: 0.1, cache_hits: 15, cache_hit_ratio: 0.25 });
    expect(qa.latency_ms).toEqual({ avg: 70.5, p50: 70, p95: 97, p99: 100 });
    expect(qa.tokens).toEqual({ in: 120, out: 60 });
  });

  it('includes older events only when the window reaches them', async () => {
    const s = await summarize(redis, prefix, 2 * 3_600_000);
    expect(s.overall.count).toBe(105);
    expect(s.by_task['old-task']?.count).toBe(5);
  });

  it('gives zero counts and null statistics for an empty window', async () => {
    const s = await summarize(redis, prefix, 60_000, Date.now() + 3_600_000);
    expect(s.by_task).toEqual({});
    expect(s.overall).toEqual({
      count: 0,
      throughput_per_s: 0,
      errors: 0,
      error_rate: null,
      latency_ms: { avg: null, p50: null, p95: null, p99: null },
      queue_wait_ms: { avg: null, p95: null },
      inference_ms: { avg: null },
      tokens: { in: 0, out: 0 },
      quality_mean: null,
      cache_hits: 0,
      cache_hit_ratio: null,
    });
  });

  it('pages through windows larger than one XRANGE page', async () => {
    const p = uniquePrefix('llmops-page');
    try {
      const n = 12_345;
      const pipe = redis.pipeline();
      for (let i = 1; i <= n; i++) pipe.xadd(keys(p).events, '*', 'task', 't', 'ok', '1', 'cached', '0', 'latency_ms', String(i));
      await pipe.exec();
      const s = await summarize(redis, p, 600_000);
      expect(s.overall.count).toBe(n);
      expect(s.overall.latency_ms.p50).toBe(Math.ceil(n / 2));
      expect(s.overall.latency_ms.avg).toBe((n + 1) / 2);
    } finally {
      await cleanup(redis, p);
    }
  });
});
