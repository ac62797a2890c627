/**
 * Operations over HTTP with real processes: response cache (hit, miss, expiry), in-flight sharing,
 * rate limits shared by two API instances, retries driven by real transient failures, Prometheus
 * families on the API and the worker, the LLMOps summary, and logs free of payload text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { keys, REPO_ROOT } from '@ca/shared';
import { startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { form, productPhoto } from '../helpers/media.js';
import { get, pollJob, post } from '../helpers/http.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';
import { lintExposition } from '../helpers/metrics-lint.js';

const prefix = testPrefix('ops');
const ENV = { CACHE_TTL_S: '2', FAULT_INJECTION: 'true', LOG_LEVEL: 'info', JOB_BACKOFF_MS: '20' };
let api: ApiHandle;
let worker: WorkerHandle;
let apiLog = '';

beforeAll(async () => {
  worker = startWorker(testEnv(prefix, ENV));
  api = await startApi(testEnv(prefix, ENV), { write: (s) => void (apiLog += s) });
  await waitFor(async () => (await get(api.url, '/readyz')).status === 200, 120_000, 'worker ready');
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

const completed = async () => (await api.deps.jobs.queues.nlp.getJobCounts('completed')).completed ?? 0;
const qa = (q: string) => ({ context: 'Refunds are paid to the original payment method within five business days.', question: q });

describe('response cache', () => {
  it('a repeat is a HIT that never touches the queue, until the entry expires', async () => {
    const body = qa('How are refunds paid?');
    const first = await post(api.url, '/question-answering', body);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const jobs = await completed();
    const second = await post(api.url, '/question-answering', body);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.body).toEqual(first.body);
    expect(await completed()).toBe(jobs);
    await new Promise((r) => setTimeout(r, 2300));
    const third = await post(api.url, '/question-answering', body);
    expect(third.headers.get('x-cache')).toBe('MISS');
    expect(await completed()).toBe(jobs + 1);
  });

  it('normalised text shares an entry for translation, but QA keys on the exact context', async () => {
    const t = await post(api.url, '/translate-text', { text: 'Where is my  order?', src_lang: 'en', target_lang: 'hi' });
    expect(t.headers.get('x-cache')).toBe('MISS');
    const t2 = await post(api.url, '/translate-text', { text: ' Where is my order? ', src_lang: 'eng', target_lang: 'hindi' });
    expect(t2.headers.get('x-cache')).toBe('HIT');
    const body = qa('What method?');
    await post(api.url, '/question-answering', body);
    const spaced = await post(api.url, '/question-answering', { ...body, context: `  ${body.context}` });
    expect(spaced.headers.get('x-cache')).toBe('MISS');
    expect(spaced.body.answer).toBe(`  ${body.context}`.slice(spaced.body.start, spaced.body.end));
  });

  it('two identical requests arriving together share one job', async () => {
    const body = { text: `The parcel was late and the box was crushed ${Date.now()}.`, max_length: 12 };
    const jobs = await completed();
    const [a, b] = await Promise.all([post(api.url, '/summarize-text', body), post(api.url, '/summarize-text', body)]);
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(await completed()).toBe(jobs + 1);
  });
});

describe('Idempotency-Key', () => {
  it('the same key and body give the same job; another body with the key is 422; a bad key is 400', async () => {
    const key = `order-${Date.now()}`;
    const body = { text: `Idempotent summary ${key}`, max_length: 10 };
    const a = await post(api.url, '/jobs/summarize-text', body, { 'Idempotency-Key': key });
    const b = await post(api.url, '/jobs/summarize-text', body, { 'Idempotency-Key': key });
    expect(a.status).toBe(202);
    expect(b.body.id).toBe(a.body.id);
    const first = await pollJob(api.url, a.body.id);
    const jobs = await completed();
    const sync = await post(api.url, '/summarize-text', body, { 'Idempotency-Key': key });
    expect(sync.status).toBe(200);
    expect(sync.body).toEqual(first.result);
    expect(await completed()).toBe(jobs);
    const other = await post(api.url, '/summarize-text', { ...body, max_length: 11 }, { 'Idempotency-Key': key });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    const bad = await post(api.url, '/summarize-text', body, { 'Idempotency-Key': 'spaces are not allowed' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_idempotency_key');
  });
});

describe('retries', () => {
  const fault = (task: string, n: number) => api.deps.redis.hset(keys(prefix).fault, task, n);

  it('a transient failure is retried and the job succeeds', async () => {
    await fault('summarize-text', 2);
    const r = await post(api.url, '/jobs/summarize-text', { text: `Retry me ${Date.now()}` });
    const job = await pollJob(api.url, r.body.id);
    expect(job.status).toBe('completed');
    expect(job.attempts).toBeGreaterThanOrEqual(2);
  });

  it('after the last attempt the client gets the stable error code', async () => {
    await fault('summarize-text', 10);
    const r = await post(api.url, '/summarize-text', { text: `Fail me ${Date.now()}` });
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe('injected_fault');
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/);
    await fault('summarize-text', 0);
  });

  it('a decode error is not retried', async () => {
    const png = await productPhoto('png', 400);
    const r = await post(api.url, '/jobs/check-item-return-eligibility', form(png.subarray(0, png.length >> 1), 'cut.png'));
    const job = await pollJob(api.url, r.body.id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('corrupt_media');
    expect(job.attempts).toBe(1);
  });
});

describe('rate limits', () => {
  it('burst n passes, n+1 is 429 with a sane Retry-After, shared by two API processes; ops routes are exempt', async () => {
    const p = testPrefix('rl');
    const env = testEnv(p, { RATE_LIMIT_BURST: '3', RATE_LIMIT_REFILL: '1', RATE_LIMIT_INTERVAL_S: '2' });
    const a = await startApi(env);
    const b = await startApi(env);
    try {
      const codes = [];
      for (const target of [a, b, a]) {
        const r = await post(target.url, '/question-answering', '{bad json');
        codes.push(r.status);
        expect(Number(r.headers.get('ratelimit-limit'))).toBe(3);
      }
      expect(codes).toEqual([400, 400, 400]);
      const refused = await post(b.url, '/question-answering', '{bad json');
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      const retry = Number(refused.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(2);
      for (let i = 0; i < 10; i++) expect((await get(a.url, '/healthz')).status).toBe(200);
      await new Promise((r) => setTimeout(r, retry * 1000 + 100));
      expect((await post(a.url, '/question-answering', '{bad json')).status).toBe(400);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('metrics, LLMOps summary and logs', () => {
  it('the API exposes HTTP, cache, rate-limit and queue families', async () => {
    const r = await get(api.url, '/metrics');
    expect(r.status).toBe(200);
    for (const family of ['ca_http_requests_total', 'ca_http_request_duration_seconds', 'ca_cache_requests_total', 'ca_rate_limit_rejections_total', 'ca_queue_jobs', 'process_resident_memory_bytes']) {
      expect(r.body).toContain(`# TYPE ${family} `);
    }
    expect(r.body).toMatch(/ca_queue_jobs\{domain="nlp",lane="live",state="completed"\} [1-9]/);
    expect(lintExposition(r.body)).toEqual([]);
    expect(r.body).toMatch(/ca_cache_requests_total\{task="question-answering",result="hit"\} [1-9]/);
  });

  it('each worker serves its own metrics: job, queue wait, inference, failures, model load, event loop, memory', async () => {
    const [w] = await api.deps.workers.list(true);
    const r = await get(`http://127.0.0.1:${w!.metrics_port}`, '/metrics');
    for (const family of ['ca_job_duration_seconds', 'ca_job_queue_wait_seconds', 'ca_inference_duration_seconds', 'ca_job_failures_total', 'ca_model_load_seconds', 'nodejs_eventloop_lag_seconds', 'process_resident_memory_bytes', 'ca_tokens_total']) {
      expect(r.body).toContain(`# TYPE ${family} `);
    }
    expect(lintExposition(r.body)).toEqual([]);
    expect(r.body).toMatch(/ca_inference_duration_seconds_count\{task="question-answering",model="ca-tiny\/qa"\} [1-9]/);
    expect(r.body).toMatch(/ca_job_failures_total\{task="summarize-text",code="injected_fault",final="false"\} [1-9]/);
  });

  it('every metric the shipped Grafana dashboard queries exists in the real /metrics of the API or a worker', async () => {
    const dashboard = JSON.parse(readFileSync(path.join(REPO_ROOT, 'deploy/grafana/customerassist.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(15);
    // Metric names: identifiers that are not PromQL functions, keywords, label names or strings.
    const NOT_METRICS = new Set(['sum', 'rate', 'by', 'max', 'histogram_quantile', 'clamp_min', 'le', 'route', 'status', 'domain', 'state', 'task', 'model', 'outcome', 'code', 'direction', 'provider', 'result', 'scope', 'job', 'e', 'inf']);
    const used = new Set(exprs.flatMap((e) => (e.replace(/"[^"]*"/g, '').replace(/\[[^\]]*\]/g, '').match(/[a-z_][a-z0-9_]*/g) ?? []).filter((w) => !NOT_METRICS.has(w))));
    const [w] = await api.deps.workers.list(true);
    const exposed = [(await get(api.url, '/metrics')).body, (await get(`http://127.0.0.1:${w!.metrics_port}`, '/metrics')).body].join('\n');
    const families = new Set([...exposed.matchAll(/^# TYPE (\S+) (\w+)/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [name!, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!])));
    const missing = [...used].filter((m) => !families.has(m));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(14);
  });

  it('/llmops/summary aggregates jobs and cache hits across processes', async () => {
    const r = await get(api.url, '/llmops/summary?window=10m');
    expect(r.status).toBe(200);
    expect(r.body.overall.count).toBeGreaterThan(5);
    expect(r.body.overall.errors).toBeGreaterThanOrEqual(2);
    const q = r.body.by_task['question-answering'];
    expect(q.cache_hits).toBeGreaterThanOrEqual(1);
    expect(q.latency_ms.p50).toBeGreaterThanOrEqual(0);
    expect(q.tokens.in).toBeGreaterThan(0);
    expect(q.quality_mean).toBeGreaterThan(0);
    expect((await get(api.url, '/llmops/summary?window=forever')).status).toBe(422);
  });

  it('the request id follows the job into the worker, and no payload text is logged', async () => {
    const secret = `SECRET-PAYLOAD-${Date.now()}`;
    const r = await post(api.url, '/summarize-text', { text: `${secret} must never be logged.` }, { 'X-Request-Id': 'trace-me-123' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toBe('trace-me-123');
    await waitFor(async () => worker.output().includes('trace-me-123'), 10_000, 'the request id in the worker log');
    expect(worker.output()).not.toContain(secret);
    expect(apiLog).not.toContain(secret);
  });
});
