/**
 * Batches: 300 translations under one id with live QA calls beside them (the live calls go first: items
 * are prioritized jobs; both p50s are printed, no speed is asserted), counts and progress while it
 * drains, results as JSON Lines in input order, a signed webhook at the end; JSON Lines bodies; bad
 * items refused by index before anything is queued; limits; cancel.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phantomWorker, startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { call, get, post } from '../helpers/http.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const N = 300;
const items = Array.from({ length: N }, (_, i) => ({ text: `Ticket ${i}: my order ${1000 + i} arrived damaged.`, src_lang: 'en', target_lang: 'fr' }));
const QA = { context: 'Refunds are paid within 5 business days after the return arrives.', question: 'When are refunds paid?' };

let prefix: string;
let api: ApiHandle;
let worker: WorkerHandle;
const hooks: { headers: Record<string, string>; body: string }[] = [];
let receiver: http.Server;
let hookUrl: string;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      hooks.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/batch-done`;
  prefix = testPrefix('batches');
  api = await startApi(testEnv(prefix, { WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', BATCH_MAX_ITEMS: '500', RATE_LIMIT_BURST: '0' }));
  worker = startWorker(testEnv(prefix, { WORKER_DOMAINS: 'nlp' }));
  await waitFor(async () => (await get(api.url, '/readyz')).body.domains.nlp.ready, 60_000, 'nlp served');
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await new Promise((r) => receiver?.close(r));
});

async function liveP50(n: number, tag: string): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    // A question of its own each time: a cached answer would not be a live call.
    const r = await post(api.url, '/question-answering', { ...QA, question: `${QA.question} (${tag} ${i})` });
    expect(r.status).toBe(200);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return Math.round(ms[Math.floor(n / 2)]!);
}

describe('batches', () => {
  it(`${N} translations: live calls keep going, counts and progress, results in order, a webhook at the end`, async () => {
    const before = await liveP50(9, 'before');
    const sub = await post(api.url, '/batches/translate-text', { items, webhook: hookUrl });
    expect(sub.status).toBe(202);
    expect(sub.body).toMatchObject({ status: 'running', total: N, counts: { pending: N } });
    const id = sub.body.id as string;
    const during = await liveP50(9, 'during');
    const mid = (await get(api.url, `/batches/${id}`)).body;
    console.log(`[batches] live QA p50 ${before} ms without a batch, ${during} ms while ${N} items drain (${mid.counts.pending} still pending after the live calls)`);
    expect(mid.counts.pending).toBeGreaterThan(0); // the live calls did not wait for the batch to drain
    const done = await waitFor(async () => {
      const v = (await get(api.url, `/batches/${id}`)).body;
      return v.status === 'completed' && v;
    }, 180_000, 'the batch completed');
    expect(done).toMatchObject({ total: N, counts: { pending: 0, completed: N, failed: 0, cancelled: 0 }, progress: 1 });
    const res = await fetch(`${api.url}/batches/${id}/results`);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { index: number; status: string; result: { translation: string } });
    expect(lines.map((l) => l.index)).toEqual(items.map((_, i) => i));
    expect(lines.every((l) => l.status === 'completed' && typeof l.result.translation === 'string')).toBe(true);
    await waitFor(async () => hooks.length > 0, 30_000, 'the batch webhook');
    const msg = new Webhook(SECRET.slice(6)).verify(hooks[0]!.body, hooks[0]!.headers) as { type: string; data: { id: string; counts: { completed: number } } };
    expect(msg).toMatchObject({ type: 'batch.completed', data: { id, counts: { completed: N } } });
  }, 240_000);

  it('takes JSON Lines; refuses bad items by index, too many items and upload tasks, before queueing anything', async () => {
    const jsonl = items.slice(0, 3).map((i) => JSON.stringify(i)).join('\n');
    const ok = await post(api.url, '/batches/translate-text', jsonl, { 'content-type': 'application/x-ndjson' });
    expect(ok.status).toBe(202);
    expect(ok.body.total).toBe(3);
    const bad = await post(api.url, '/batches/translate-text', [items[0], { text: '' }, items[1], { text: 'x', src_lang: 'klingon', target_lang: 'fr' }]);
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.items.map((i: { index: number }) => i.index)).toEqual([1, 3]);
    expect((await post(api.url, '/batches/translate-text', Array.from({ length: 501 }, () => items[0]))).body.error.code).toBe('batch_too_large');
    expect((await post(api.url, '/batches/audio-transcribe', [{}])).body.error.code).toBe('batch_unsupported');
    expect((await post(api.url, '/batches/nope', [{}])).body.error.code).toBe('unknown_task');
    expect((await post(api.url, '/batches/translate-text', 'not json', { 'content-type': 'application/x-ndjson' })).body.error.code).toBe('invalid_json');
    expect((await get(api.url, '/batches/batch_AAAAAAAAAAAAAAAAAAAAAA')).body.error.code).toBe('batch_not_found');
  });

  it('cancel stops the items not yet run', async () => {
    const p = testPrefix('batches-cancel');
    const idle = await startApi(testEnv(p));
    const release = await phantomWorker(idle, 'nlp'); // nothing consumes: every item stays queued
    try {
      const id = (await post(idle.url, '/batches/summarize-text', Array.from({ length: 5 }, (_, i) => ({ text: `Ticket ${i}.` })))).body.id as string;
      const cancelled = await call(idle.url, 'DELETE', `/batches/${id}`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', counts: { pending: 0, cancelled: 5 } });
      const res = await (await fetch(`${idle.url}/batches/${id}/results`)).text();
      expect(res.trim().split('\n').map((l) => JSON.parse(l).status)).toEqual(Array(5).fill('cancelled'));
    } finally {
      await release();
      await idle.close();
    }
  });
});
