/**
 * `GET /llmops/summary` aggregation (DESIGN §5 "LLMOps").
 *
 * Every API and worker process appends one OpsEvent per finished job or cache hit to one capped Redis
 * stream, so reading that stream gives the whole system's view. The time window is chosen by stream
 * id (the ms timestamp Redis gave the entry on append), not by the `ts` field, so XRANGE can select it
 * server-side and a process with a skewed clock cannot put events in the wrong window.
 *
 * Definitions (also the API documentation):
 * - count: events in the window; throughput_per_s = count / window_s.
 * - errors: events with ok = false; error_rate = errors / count.
 * - latency_ms: end-to-end latency over all events (cache hits included: that is what clients saw).
 *   Percentiles use the nearest-rank method: sort ascending, Pp = value at rank ceil(p/100 × n)
 *   (1-based). It always returns an observed value; for latencies 1..100, P50 = 50, P95 = 95, P99 = 99.
 * - queue_wait_ms, inference_ms: over events that ran a job (cached = false); a cache hit has neither,
 *   and counting its zeros would make queues look faster than they are.
 * - tokens: sums; quality_mean: mean quality over all events (errors score 0 by definition).
 * - cache_hits: cached events; cache_hit_ratio = cache_hits / count.
 * Means and ratios are null when there is nothing to average.
 */
import type { Redis } from 'ioredis';
import { AppError, keys, parseEvent, type OpsEvent } from '@ca/shared';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const DEFAULT_WINDOW_MS = 15 * 60_000;
export const MAX_WINDOW_MS = 7 * 86_400_000;
/** Hard cap on events read per summary: bounds memory and Redis time whatever the window. */
export const MAX_EVENTS = 200_000;
const PAGE = 5_000;

/** `15m`, `30s`, `1h`, `2d` → ms. Absent/empty → 15 min. Zero, over 7 days or malformed → 422. */
export function parseWindow(w: unknown): number {
  if (w === undefined || w === '') return DEFAULT_WINDOW_MS;
  const m = typeof w === 'string' ? /^(\d{1,9})([smhd])$/.exec(w.trim()) : null;
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN;
  if (!(ms > 0) || ms > MAX_WINDOW_MS) {
    throw new AppError(422, 'invalid_window', 'window must be a positive number followed by s, m, h or d, at most 7d (e.g. 15m)', {
      details: { window: typeof w === 'string' ? w.slice(0, 32) : typeof w, max: '7d' },
    });
  }
  return ms;
}

export interface Stats {
  count: number;
  throughput_per_s: number;
  errors: number;
  error_rate: number | null;
  latency_ms: { avg: number | null; p50: number | null; p95: number | null; p99: number | null };
  queue_wait_ms: { avg: number | null; p95: number | null };
  inference_ms: { avg: number | null };
  tokens: { in: number; out: number };
  quality_mean: number | null;
  cache_hits: number;
  cache_hit_ratio: number | null;
}

export interface Summary {
  window_s: number;
  /** ISO time of the window's start and end. */
  from: string;
  to: string;
  /** True when the window held more than MAX_EVENTS events and only the oldest were read. */
  truncated: boolean;
  overall: Stats;
  by_task: Record<string, Stats>;
}

/** Nearest-rank percentile of an ascending array (see the header comment). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const mean = (sum: number, n: number) => (n > 0 ? round(sum / n) : null);

/** Running totals for one group; latencies are kept for the percentiles. */
class Acc {
  count = 0;
  errors = 0;
  hits = 0;
  latencies: number[] = [];
  latencySum = 0;
  waits: number[] = [];
  waitSum = 0;
  inferSum = 0;
  tokIn = 0;
  tokOut = 0;
  qualitySum = 0;

  add(e: OpsEvent): void {
    this.count++;
    if (!e.ok) this.errors++;
    this.latencies.push(e.latency_ms);
    this.latencySum += e.latency_ms;
    if (e.cached) this.hits++;
    else {
      this.waits.push(e.queue_wait_ms);
      this.waitSum += e.queue_wait_ms;
      this.inferSum += e.inference_ms;
    }
    this.tokIn += e.tokens_in;
    this.tokOut += e.tokens_out;
    this.qualitySum += e.quality;
  }

  stats(windowS: number): Stats {
    const n = this.count;
    const lat = this.latencies.sort((a, b) => a - b);
    const waits = this.waits.sort((a, b) => a - b);
    return {
      count: n,
      throughput_per_s: round(n / windowS),
      errors: this.errors,
      error_rate: n > 0 ? round(this.errors / n, 4) : null,
      latency_ms: { avg: mean(this.latencySum, n), p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99) },
      queue_wait_ms: { avg: mean(this.waitSum, waits.length), p95: percentile(waits, 95) },
      inference_ms: { avg: mean(this.inferSum, waits.length) },
      tokens: { in: this.tokIn, out: this.tokOut },
      quality_mean: mean(this.qualitySum, n),
      cache_hits: this.hits,
      cache_hit_ratio: n > 0 ? round(this.hits / n, 4) : null,
    };
  }
}

/** Aggregate the events appended in [now − windowMs, now] (ms, inclusive), overall and per task. */
export async function summarize(redis: Redis, prefix: string, windowMs: number, now = Date.now()): Promise<Summary> {
  const from = Math.max(0, Math.floor(now - windowMs));
  const to = Math.floor(now);
  const key = keys(prefix).events;
  const overall = new Acc();
  const byTask = new Map<string, Acc>();
  let start = String(from);
  let read = 0;
  let truncated = false;

  // Page through the window oldest first; "(id" makes the next page start after the last entry seen.
  for (;;) {
    const count = Math.min(PAGE, MAX_EVENTS - read);
    const page = await redis.xrange(key, start, String(to), 'COUNT', count);
    for (const [, fields] of page) {
      const e = parseEvent(fields);
      overall.add(e);
      let acc = byTask.get(e.task);
      if (!acc) byTask.set(e.task, (acc = new Acc()));
      acc.add(e);
    }
    read += page.length;
    if (page.length < count) break;
    if (read >= MAX_EVENTS) {
      // Only a full last page can hide more: one probe tells a window of exactly MAX_EVENTS apart.
      truncated = (await redis.xrange(key, `(${page[page.length - 1]![0]}`, String(to), 'COUNT', 1)).length > 0;
      break;
    }
    start = `(${page[page.length - 1]![0]}`;
  }

  const windowS = windowMs / 1000;
  const by_task: Record<string, Stats> = {};
  for (const [task, acc] of [...byTask].sort(([a], [b]) => a.localeCompare(b))) by_task[task] = acc.stats(windowS);
  return {
    window_s: windowS,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    truncated,
    overall: overall.stats(windowS),
    by_task,
  };
}
