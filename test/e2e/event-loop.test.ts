/**
 * Inference never starves the worker's event loop: onnxruntime-node runs sessions synchronously on the
 * calling thread, so the worker runs jobs in its inference thread. While a long job runs, the worker's
 * own HTTP endpoint (the same loop that renews BullMQ locks and heartbeats) keeps answering promptly.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { form, wav } from '../helpers/media.js';
import { get, post } from '../helpers/http.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';

let api: ApiHandle;
let worker: WorkerHandle;
afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

describe('the worker event loop during inference', () => {
  it('keeps answering /healthz and heartbeating while a long job runs', async () => {
    const prefix = testPrefix('loop');
    const env = testEnv(prefix, { WORKER_DOMAINS: 'audio', ORT_THREADS: '2' });
    api = await startApi(env);
    worker = startWorker(env);
    await waitFor(async () => (await get(api.url, '/readyz')).body.domains?.audio?.ready, 120_000, 'worker ready');
    const [rec] = await api.deps.workers.list(true);
    const health = `http://127.0.0.1:${rec!.metrics_port}`;

    const t0 = Date.now();
    const id = (await post(api.url, '/jobs/audio-transcribe', form(wav({ seconds: 115, sampleRate: 8000 }), 'long.wav'))).body.id;
    const samples: number[] = [];
    let status = 'queued';
    while (status !== 'completed' && status !== 'failed') {
      const s = performance.now();
      expect((await get(health, '/healthz')).status).toBe(200);
      samples.push(performance.now() - s);
      status = (await get(api.url, `/jobs/${id}`)).body.status;
    }
    const jobMs = Date.now() - t0;
    expect(status).toBe('completed');
    const worst = Math.max(...samples);
    console.log(`job ${jobMs} ms; /healthz answered ${samples.length} times, worst ${worst.toFixed(1)} ms`);
    // The job keeps the models busy for far longer than any single answer took.
    expect(jobMs).toBeGreaterThan(1000);
    expect(worst).toBeLessThan(Math.min(500, jobMs / 3));
    // Heartbeats kept flowing: the worker is still listed as ready.
    expect((await api.deps.workers.list(true)).some((w) => w.state === 'ready')).toBe(true);
  });
});
