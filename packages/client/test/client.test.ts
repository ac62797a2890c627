/**
 * The generated client: its committed files match the generator, and its helpers work against the
 * real API (real Redis) with a real worker process on the tiny models for nlp. The audio domain is
 * announced by a heartbeat record with no consumer behind it, so audio jobs stay queued (for the
 * wait-timeout and cancel paths).
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, keys } from '@ca/shared';
import { startApi, type ApiHandle } from '../../../test/helpers/api.js';
import { phantomRecord } from '../../../test/helpers/phantom.js';
import { testEnv, testPrefix } from '../../../test/helpers/env.js';
import { startWorker, waitFor, type WorkerHandle } from '../../../test/helpers/processes.js';
import { OPENAPI_FILE, render, SCHEMA_FILE } from '../scripts/generate.js';
import { Webhook } from 'standardwebhooks';
import { ApiError, createCaClient, verifyWebhook, WaitTimeoutError, WebhookVerificationError, type CaClient } from '../src/index.js';

describe('generated files', () => {
  it('are up to date (run `pnpm --filter @ca/client generate` if not)', async () => {
    const fresh = await render();
    // Written out as the generator would, then compared byte for byte with the committed files.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ca-client-gen-'));
    try {
      await writeFile(path.join(dir, 'schema.d.ts'), fresh.schema);
      await writeFile(path.join(dir, 'openapi.json'), fresh.openapi);
      expect(await readFile(path.join(dir, 'schema.d.ts'), 'utf8')).toBe(await readFile(SCHEMA_FILE, 'utf8'));
      expect(await readFile(path.join(dir, 'openapi.json'), 'utf8')).toBe(await readFile(OPENAPI_FILE, 'utf8'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** 0.1 s of 16 kHz mono 16-bit silence. */
function wav(): Uint8Array<ArrayBuffer> {
  const samples = 1600;
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(16000, 24);
  b.writeUInt32LE(32000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples * 2, 40);
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const audioForm = () => {
  const f = new FormData();
  f.append('file', new Blob([wav()], { type: 'audio/wav' }), 'note.wav');
  f.append('language', 'en');
  return f;
};

describe('verifyWebhook', () => {
  // Signed by the Standard Webhooks reference library, checked by ours.
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const body = JSON.stringify({ type: 'job.completed', timestamp: new Date().toISOString(), data: { id: 'nlp_x', status: 'completed' } });
  const signed = () => {
    const date = new Date();
    const signature = new Webhook(secret.slice(6)).sign('msg_1', date, body);
    return { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(date.getTime() / 1000)), 'webhook-signature': signature };
  };

  it('accepts a delivery signed as the specification says, and returns its payload', async () => {
    expect(await verifyWebhook(secret, signed(), body)).toMatchObject({ type: 'job.completed', data: { id: 'nlp_x' } });
    expect(await verifyWebhook(secret, new Headers({ ...signed(), 'webhook-signature': `v1,AAAA ${signed()['webhook-signature']}` }), body)).toBeTruthy();
  });

  it('refuses a changed body, another secret, an old timestamp and missing headers', async () => {
    const h = signed();
    await expect(verifyWebhook(secret, h, body.replace('nlp_x', 'nlp_y'))).rejects.toThrow(WebhookVerificationError);
    await expect(verifyWebhook(`whsec_${randomBytes(24).toString('base64')}`, h, body)).rejects.toThrow('no signature matches');
    await expect(verifyWebhook(secret, h, body, { now: new Date(Date.now() + 3600_000) })).rejects.toThrow('tolerance');
    await expect(verifyWebhook(secret, { 'webhook-id': 'msg_1' }, body)).rejects.toThrow('missing');
  });
});

describe('client against the API', () => {
  let api: ApiHandle;
  let ca: CaClient;
  let worker: WorkerHandle;
  const redis = createRedis(process.env.CA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { name: 'ca-client-test' });
  let heartbeat: NodeJS.Timeout;

  beforeAll(async () => {
    const prefix = testPrefix('client');
    api = await startApi(testEnv(prefix, { API_KEYS: 'client-key' }));
    ca = createCaClient({ baseUrl: api.url, apiKey: 'client-key' });
    worker = startWorker(testEnv(prefix, { WORKER_DOMAINS: 'nlp' }));
    // A heartbeat that claims the audio domain with no consumer behind it: audio jobs stay queued.
    const k = keys(prefix);
    const id = `test-${randomBytes(4).toString('hex')}`;
    const record = phantomRecord(id, ['audio']);
    const beat = async () => {
      await redis.set(k.worker(id), JSON.stringify(record), 'PX', 60_000);
      await redis.zadd(k.workers, Date.now(), id);
    };
    await beat();
    heartbeat = setInterval(() => void beat().catch(() => undefined), 500);
    await waitFor(async () => (await api.deps.workers.list(true)).some((w) => w.domains.includes('nlp')), 120_000, 'the nlp worker');
  });

  afterAll(async () => {
    clearInterval(heartbeat);
    await worker?.stop();
    await api?.close();
    await redis.quit();
  });

  it('follows a job through its events (with the API key, which an EventSource could not send)', async () => {
    const context = Array.from({ length: 40 }, (_, i) => `Parcel ${i} left the depot on day ${i % 28}.`).join(' ');
    // Paused until the first event has arrived: the job cannot finish before the client listens (a
    // finished job's stream tells only its end), however fast the model is.
    const nlp = api.deps.jobs.queues.nlp;
    await nlp.pause();
    const types: string[] = [];
    try {
      const job = await ca.submit('question-answering', { context, question: 'When did parcel 3 leave?' });
      for await (const e of ca.events(job.id)) {
        if (types.push(e.type) === 1) await nlp.resume();
      }
    } finally {
      await nlp.resume();
    }
    expect(types[0]).toBe('queued');
    expect(types.at(-1)).toBe('completed');
    expect(types).toContain('progress');
    const again = await ca.submit('question-answering', { context: 'Returns within 30 days.', question: 'How long?' });
    expect((await ca.waitViaEvents(again.id)).status).toBe('completed');
  });

  it('submits a JSON task and waits for its result', async () => {
    const job = await ca.submit('question-answering', { context: 'Returns are accepted within 30 days.', question: 'How long can I return?' });
    expect(job).toMatchObject({ task: 'question-answering', status: 'queued' });
    const context = 'Returns are accepted within 30 days.';
    const done = await ca.wait(job.id, { timeoutMs: 60_000, intervalMs: 50 });
    expect(done.status).toBe('completed');
    const result = done.result as { question: string; answer: string; start: number; end: number };
    expect(result.question).toBe('How long can I return?');
    expect(context.slice(result.start, result.end)).toBe(result.answer);
  });

  it('submits an upload as FormData, times out waiting, and cancels', async () => {
    const job = await ca.submit('audio-transcribe', audioForm());
    expect(job.task).toBe('audio-transcribe');
    const err = await ca.wait(job.id, { timeoutMs: 200, intervalMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as WaitTimeoutError).last.status).toBe('queued');
    expect((await ca.cancel(job.id)).status).toBe('cancelled');
    expect((await ca.wait(job.id)).status).toBe('cancelled');
    await expect(ca.cancel(job.id)).rejects.toMatchObject({ status: 409, code: 'job_finished' });
  });

  it('turns error answers into ApiError with the service code', async () => {
    await expect(ca.get('nlp_AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ status: 404, code: 'job_not_found' });
    const bad = await ca.submit('question-answering', {} as never).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect(bad).toMatchObject({ status: 422, code: 'validation_error' });
    const noKey = createCaClient({ baseUrl: api.url });
    await expect(noKey.get('nlp_AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('exposes the typed raw client', async () => {
    const { data, response } = await ca.raw.GET('/healthz');
    expect(response.status).toBe(200);
    expect(data?.status).toBe('ok');
  });
});
