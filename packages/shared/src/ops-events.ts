/**
 * The LLMOps event stream: one entry per finished job and per cache hit, in a capped Redis stream that
 * every API and worker process appends to, so `/llmops/summary` sees the whole system.
 *
 * Quality score (0..1), documented in the README:
 *   0 on error. Otherwise quality = sanity × confidence', where
 *   sanity = 0 for an empty output, 0.7 when the output was cut at MAX_RESPONSE_CHARS, else 1;
 *   confidence' = 0.5 + 0.5 × the model's own confidence (QA span score, class probability, OCR mean line
 *   confidence) where the model gives one, else 1.
 */
import type { Redis } from 'ioredis';
import { keys } from './queues.js';

export const EVENTS_MAXLEN = 100_000;

export interface OpsEvent {
  ts: number;
  task: string;
  model: string;
  ok: boolean;
  code?: string;
  cached: boolean;
  latency_ms: number;
  queue_wait_ms: number;
  inference_ms: number;
  tokens_in: number;
  tokens_out: number;
  quality: number;
}

export function qualityScore(o: { ok: boolean; empty: boolean; truncated: boolean; confidence?: number }): number {
  if (!o.ok || o.empty) return 0;
  const sanity = o.truncated ? 0.7 : 1;
  const c = o.confidence === undefined || !Number.isFinite(o.confidence) ? 1 : 0.5 + 0.5 * Math.min(1, Math.max(0, o.confidence));
  return Math.round(sanity * c * 1000) / 1000;
}

const MAXLEN = String(EVENTS_MAXLEN);

export async function appendEvent(redis: Redis, prefix: string, e: OpsEvent): Promise<void> {
  const fields: string[] = [];
  for (const k in e) {
    const v = e[k as keyof OpsEvent];
    fields.push(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v ?? ''));
  }
  await redis.xadd(keys(prefix).events, 'MAXLEN', '~', MAXLEN, '*', ...fields);
}

export function parseEvent(fields: string[]): OpsEvent {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) m.set(fields[i]!, fields[i + 1]!);
  const n = (k: string) => Number(m.get(k) ?? 0);
  return {
    ts: n('ts'),
    task: m.get('task') ?? '',
    model: m.get('model') ?? '',
    ok: m.get('ok') === '1',
    ...(m.get('code') ? { code: m.get('code')! } : {}),
    cached: m.get('cached') === '1',
    latency_ms: n('latency_ms'),
    queue_wait_ms: n('queue_wait_ms'),
    inference_ms: n('inference_ms'),
    tokens_in: n('tokens_in'),
    tokens_out: n('tokens_out'),
    quality: n('quality'),
  };
}
