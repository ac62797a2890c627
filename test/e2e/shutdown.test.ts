/**
 * No accepted job is lost when workers stop: SIGTERM drains (the active job finishes, queued ones stay
 * queued for the next worker), and a worker killed outright hands its job back once its lock lapses.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { keys, QUEUE_NAMES } from '@ca/shared';
import { startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { form, wav } from '../helpers/media.js';
import { call, get, pollJob, post } from '../helpers/http.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';

const workers: WorkerHandle[] = [];
const apis: ApiHandle[] = [];
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  for (const a of apis) await a.close();
});

async function setup(name: string, shutdownTimeoutMs = 60_000) {
  const prefix = testPrefix(name);
  const env = testEnv(prefix, { WORKER_DOMAINS: 'audio', JOB_LOCK_MS: '2000', SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs) });
  const api = await startApi(env);
  apis.push(api);
  const start = () => {
    const w = startWorker(env);
    workers.push(w);
    return w;
  };
  return { api, start };
}

// 110 s of audio: the tiny Whisper transcribes it in four chunks, long enough to catch the job active.
const longVoice = () => form(wav({ seconds: 110, sampleRate: 8000 }), 'long.wav');

async function activeJob(api: ApiHandle, ids: string[]): Promise<string> {
  return waitFor(async () => {
    for (const id of ids) if ((await get(api.url, `/jobs/${id}`)).body.status === 'active') return id;
    return undefined;
  }, 60_000, 'an active job');
}

/** A ready worker with one long job active on it. */
async function withActiveJob(name: string, shutdownTimeoutMs?: number) {
  const { api, start } = await setup(name, shutdownTimeoutMs);
  const w1 = start();
  await waitFor(async () => (await get(api.url, '/readyz')).body.domains?.audio?.ready, 120_000, 'worker ready');
  const id: string = (await post(api.url, '/jobs/audio-transcribe', longVoice())).body.id;
  await activeJob(api, [id]);
  return { api, start, w1, id };
}

describe('worker shutdown', () => {
  it('SIGTERM while the models load shuts down cleanly once started (exit 0, not killed by the signal)', async () => {
    const { api, start } = await setup('sigterm-loading');
    const w = start();
    // Its heartbeat says "loading" before the models load: the signal lands in the middle of it.
    await waitFor(async () => (await api.deps.workers.list(true)).some((r) => r.state === 'loading'), 30_000, 'the worker loading');
    expect(await w.stop('SIGTERM')).toBe(0);
    expect(w.proc.signalCode).toBeNull();
  });

  it('SIGTERM finishes the active job, leaves the queued ones for the next worker, and exits 0', async () => {
    const { api, start } = await setup('drain');
    const w1 = start();
    await waitFor(async () => (await get(api.url, '/readyz')).body.domains?.audio?.ready, 120_000, 'worker ready');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await post(api.url, '/jobs/audio-transcribe', longVoice())).body.id);
    const active = await activeJob(api, ids);
    expect(await w1.stop('SIGTERM')).toBe(0);
    expect((await get(api.url, `/jobs/${active}`)).body.status).toBe('completed');
    const rest = ids.filter((id) => id !== active);
    const states = await Promise.all(rest.map(async (id) => (await get(api.url, `/jobs/${id}`)).body.status));
    expect(states.every((s) => s === 'queued' || s === 'completed')).toBe(true);
    start();
    for (const id of rest) expect((await pollJob(api.url, id, 120_000)).status).toBe('completed');
  });

  it('SIGTERM past the drain timeout hands the running job back to the queue and exits 0; the next worker completes it', async () => {
    const { api, start, w1, id } = await withActiveJob('handback', 200);
    expect(await w1.stop('SIGTERM')).toBe(0);
    expect(w1.output()).toContain('handing active jobs back');
    expect(w1.output()).not.toMatch(/terminate called|Napi::Error/);
    const back = (await get(api.url, `/jobs/${id}`)).body;
    expect(back.status).toBe('queued');
    expect(back.error).toBeUndefined();
    start();
    expect((await pollJob(api.url, id, 120_000)).status).toBe('completed');
  });

  it('DELETE of an active job stops it at its next step: it reads cancelled and is not retried', async () => {
    const { api, id } = await withActiveJob('cancel-active');
    const del = await call(api.url, 'DELETE', `/jobs/${id}`);
    expect(del.status).toBe(202); // asked; the worker stops it cooperatively
    const job = await pollJob(api.url, id, 120_000);
    expect(job.status).toBe('cancelled');
    expect(job.result).toBeUndefined();
  });

  it('a job whose lock lapses before its result is committed runs again and completes: its upload is kept until then', async () => {
    const { api, id } = await withActiveJob('lost-lock');
    // As for a worker cut off from Redis past JOB_LOCK_MS: its commit fails and the job comes back as stalled.
    expect(await api.deps.redis.del(`${api.cfg.QUEUE_PREFIX}:${QUEUE_NAMES.audio}:${id}:lock`)).toBe(1);
    const job = await pollJob(api.url, id, 120_000);
    expect(job.error?.code).toBeUndefined();
    expect(job.status).toBe('completed');
    expect(await api.deps.redis.exists(keys(api.cfg.QUEUE_PREFIX).blob(id))).toBe(0);
  });

  it('a worker killed mid-job hands the job back: another worker completes it', async () => {
    const { api, start, w1, id } = await withActiveJob('crash');
    await w1.stop('SIGKILL');
    start();
    const job = await pollJob(api.url, id, 120_000);
    expect(job.status).toBe('completed');
  });
});
