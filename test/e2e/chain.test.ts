/**
 * Chained work as a BullMQ flow: audio-transcribe-translate to a non-English target hands its transcript
 * to translate-text as a child job. The parent waits without a worker slot or a lock, survives a kill -9
 * of its worker, does not transcribe again, and takes a cancel to its child; admission and /readyz
 * know it needs the nlp domain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childJobId } from '@ca/shared';
import { phantomWorker, startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { call, get, pollJob, post } from '../helpers/http.js';
import { form, wav } from '../helpers/media.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';

const voice = wav({ seconds: 1 });
const chained = () => form(voice, 'v.wav', { src_lang: 'hi', target_lang: 'fr' });
const started: WorkerHandle[] = [];
let a: ApiHandle;
let prefix: string;

function worker(domains: string, extra: Record<string, string> = {}) {
  const w = startWorker(testEnv(prefix, { WORKER_DOMAINS: domains, WORKER_CONCURRENCY: '1', ...extra }));
  started.push(w);
  return w;
}
/** Each test starts with no worker of an earlier one (a failed test may have left one running). */
const stopAll = () => Promise.all(started.splice(0).map((w) => w.stop('SIGKILL')));
const served = (d: string) => waitFor(async () => (await get(a.url, '/readyz')).body.domains[d].ready, 60_000, `${d} served`);
const state = (id: string) => a.deps.jobs.queues[id.startsWith('nlp') ? 'nlp' : 'audio'].getJobState(id);
/** A counter of a worker's own /metrics (found through its heartbeat) for one task. */
async function counter(workerPid: number, name: string, task: string): Promise<number> {
  const rec = (await a.deps.workers.list(true)).find((w) => w.pid === workerPid)!;
  const text = await (await fetch(`http://127.0.0.1:${rec.metrics_port}/metrics`)).text();
  const lines = text.split('\n').filter((l) => l.startsWith(name) && l.includes(`task="${task}"`));
  return lines.reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

beforeAll(async () => {
  prefix = testPrefix('chain');
  a = await startApi(testEnv(prefix, { SYNC_TIMEOUT_MS: '300' }));
});
afterAll(async () => {
  await stopAll();
  await a.close();
});

describe('chained work', () => {
  it('is refused at once without an nlp worker, while English (the speech model alone) is served', async () => {
    const audio = worker('audio');
    await served('audio');
    const ready = await get(a.url, '/readyz');
    expect(ready.body.tasks['audio-transcribe-translate']).toEqual({ ready: false, domains: ['audio', 'nlp'] });
    expect(ready.body.tasks['audio-transcribe']).toEqual({ ready: true, domains: ['audio'] });
    const refused = await post(a.url, '/jobs/audio-transcribe-translate', chained());
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: 'no_worker', details: { domain: 'nlp' } });
    const en = await post(a.url, '/jobs/audio-transcribe-translate', form(voice, 'v.wav', { src_lang: 'hi' }));
    expect(en.status).toBe(202);
    expect((await pollJob(a.url, en.body.id)).status).toBe('completed');
    await audio.stop('SIGKILL');
  }, 120_000);

  it('waits for its child without holding a worker: other audio jobs run, SIGTERM exits at once, and a cancel reaches the child', async () => {
    await stopAll();
    const removePhantom = await phantomWorker(a, 'nlp'); // admission passes; nothing consumes nlp
    const audio = worker('audio', { SHUTDOWN_TIMEOUT_MS: '60000' });
    try {
      await served('audio');
      const parent = (await post(a.url, '/jobs/audio-transcribe-translate', chained())).body.id as string;
      await waitFor(async () => (await state(parent)) === 'waiting-children', 30_000, 'parent waiting for its child');
      const child = childJobId(parent, 'translate-text', 'nlp');
      expect(await state(child)).toBe('waiting');
      expect((await get(a.url, `/jobs/${parent}`)).body.status).toBe('active');
      // WORKER_CONCURRENCY=1, and the parent holds no slot: a plain transcription still runs.
      const plain = (await post(a.url, '/jobs/audio-transcribe', form(voice, 'v.wav'))).body.id as string;
      expect((await pollJob(a.url, plain, 30_000)).status).toBe('completed');
      expect(await state(parent)).toBe('waiting-children');
      // A worker whose only job waits for a child has nothing to drain (the job waited 90 s for 20 s before).
      const t0 = Date.now();
      expect(await audio.stop('SIGTERM')).toBe(0);
      expect(Date.now() - t0).toBeLessThan(30_000); // it would wait SHUTDOWN_TIMEOUT_MS (60 s) for a job it held
      const cancel = await call(a.url, 'DELETE', `/jobs/${parent}`);
      expect(cancel.status).toBe(202);
      expect(await state(child)).toBe('unknown'); // the queued child was removed
      expect((await get(a.url, `/jobs/${child}`)).body.status).toBe('cancelled');
      const next = worker('audio');
      expect((await pollJob(a.url, parent, 30_000)).status).toBe('cancelled');
      await next.stop('SIGKILL');
    } finally {
      await audio.stop('SIGKILL'); // exited already unless the test failed before its SIGTERM
      await removePhantom();
    }
  }, 120_000);

  it('survives a kill -9 of the worker while the child runs, and completes without transcribing again', async () => {
    await stopAll();
    const removePhantom = await phantomWorker(a, 'nlp');
    const first = worker('audio');
    await served('audio');
    const parent = (await post(a.url, '/jobs/audio-transcribe-translate', chained())).body.id as string;
    await waitFor(async () => (await state(parent)) === 'waiting-children', 30_000, 'parent waiting for its child');
    const stored = (await a.deps.jobs.getJob(parent))!.data.chain!;
    expect(stored.partial.transcription).toEqual(expect.any(String));
    first.proc.kill('SIGKILL');
    await removePhantom();
    const nlp = worker('nlp');
    await served('nlp');
    await waitFor(async () => (await state(parent)) === 'waiting', 60_000, 'parent back in the queue once its child completed');
    const second = worker('audio');
    const done = await pollJob(a.url, parent, 60_000);
    expect(done).toMatchObject({ status: 'completed', result: { transcription: stored.partial.transcription, target_lang: 'fr', src_lang: 'hi' } });
    expect(typeof done.result.translation).toBe('string');
    // The second worker only merged: no speech-model call. The translation ran once, as the child.
    expect(await counter(second.proc.pid!, 'ca_inference_duration_seconds_count', 'audio-transcribe-translate')).toBe(0);
    expect(await counter(second.proc.pid!, 'ca_jobs_processed_total', 'audio-transcribe-translate')).toBe(1);
    const childJob = (await a.deps.jobs.getJob(childJobId(parent, 'translate-text', 'nlp')))!;
    expect(childJob.attemptsMade).toBe(1);
    expect(await counter(nlp.proc.pid!, 'ca_jobs_processed_total', 'translate-text')).toBe(1);
  }, 180_000);
});
