/**
 * What a new user meets first, with real processes: the .env file is read (and the environment wins over
 * it), `GET /` says what the service is, every line the API and a worker write is JSON (library console
 * output included), and the API writes one access-log line per request with nothing a client sent in it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@ca/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { get, post } from '../helpers/http.js';
import { form, wav } from '../helpers/media.js';
import { startApiProcess, startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';

const freePort = async () => {
  const net = await import('node:net');
  return new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
};

const jsonLines = (out: string) => out.split('\n').filter((l) => l.trim() !== '');
const notJson = (out: string) =>
  jsonLines(out).filter((l) => {
    try {
      return typeof JSON.parse(l) !== 'object';
    } catch {
      return true;
    }
  });

let api: WorkerHandle;
let worker: WorkerHandle;
let url: string;
const prefix = testPrefix('first-run');

beforeAll(async () => {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ca-env-'));
  const envFile = path.join(dir, '.env');
  // The file sets the port and two keys; the environment sets other keys, and wins.
  writeFileSync(envFile, `# made by the first-run test\nPORT=${port}\nAPI_KEYS=from-the-file\nLOG_LEVEL=warn\n`);
  const env = testEnv(prefix, { ENV_FILE: envFile });
  delete (env as Record<string, string | undefined>).LOG_LEVEL; // from the file
  api = startApiProcess({ ...env, API_KEYS: 'from-the-environment', LOG_LEVEL: 'info' });
  worker = startWorker(testEnv(prefix, { WORKER_DOMAINS: 'audio', LOG_LEVEL: 'info' }));
  url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await get(url, '/readyz')).body.domains.audio.ready, 90_000, 'the API on the .env port, audio served').catch((e: Error) => {
    throw new Error(`${e.message}\nAPI output:\n${api.output().slice(-3000)}`);
  });
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await api?.stop();
});

describe('first run', () => {
  it('reads .env (the port), and a variable in the environment wins over the file', async () => {
    expect((await get(url, '/healthz')).status).toBe(200);
    const withFileKey = await post(url, '/audio-transcribe', form(wav({ seconds: 1 }), 'v.wav'), { Authorization: 'Bearer from-the-file' });
    expect([withFileKey.status, withFileKey.body.error.code]).toEqual([403, 'forbidden']);
    const withEnvKey = await post(url, '/audio-transcribe', form(wav({ seconds: 1 }), 'v.wav'), { Authorization: 'Bearer from-the-environment' });
    expect(withEnvKey.status).toBe(200);
  });

  it('GET / says what it is and where to start', async () => {
    const r = await get(url, '/');
    expect(r.body.message).toMatch(/\/docs/);
    expect(r.body.links.docs).toBe('/docs');
  });

  it('every line is JSON; one access-log line per request, without keys, bodies or query strings', async () => {
    const id = `first-run-${Date.now()}`;
    const r = await get(url, `/jobs/audio_doesnotexist?token=query-secret`, { Authorization: 'Bearer from-the-environment', 'X-Request-Id': id });
    expect(r.status).toBe(404);
    const line = await waitFor(async () => jsonLines(api.output()).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.request_id === id), 5000, 'the access-log line');
    expect(line).toMatchObject({ msg: 'request', method: 'GET', route: '/jobs/:id', status: 404, level: 30 });
    expect(typeof line.latency_ms).toBe('number');
    const out = api.output();
    for (const secret of ['from-the-environment', 'query-secret', 'audio_doesnotexist']) expect(out).not.toContain(secret);
    // A transcription without a language: the library's console output is in the JSON log, too.
    expect((await post(url, '/audio-transcribe', form(wav({ seconds: 1 }), 'v.wav'), { Authorization: 'Bearer from-the-environment' })).status).toBe(200);
    expect(notJson(api.output())).toEqual([]);
    expect(notJson(worker.output())).toEqual([]);
  });
});

describe('npm start explains what it could not load', () => {
  it('waits for the worker, then prints "ready: N of 7 tasks" and every missing model with why and the ways on', async () => {
    const p = testPrefix('first-run-block');
    const a = await startApi(testEnv(p));
    const empty = mkdtempSync(path.join(os.tmpdir(), 'ca-no-models-'));
    const w = startWorker(testEnv(p, { WORKER_DOMAINS: 'vision', MODEL_PROFILE: 'default', MODELS_DIR: empty, ALLOW_REMOTE_MODELS: 'false' }));
    try {
      const { stderr } = await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'scripts/first-run.mjs'), a.url, '60'], { timeout: 70_000 });
      const text = stderr.replace(/\x1b\[[0-9;]*m/g, '');
      expect(text).toContain('ready: 1 of 7 tasks served (extract-text)');
      expect(text).toContain('Xenova/clip-vit-base-patch32 (vision): the model is not in MODELS_DIR, and downloads are off');
      expect(text).toContain('MODEL_PROFILE=tiny npm start');
      expect(text).toContain('pnpm models:fetch');
    } finally {
      await w.stop();
      await a.close();
    }
  }, 90_000);
});

describe('models from a Hub mirror', () => {
  it('HF_ENDPOINT is where the worker asks; HF_TOKEN is not sent to a host other than the Hub, and never logged', async () => {
    const seen: { url: string; auth?: string }[] = [];
    const mirror = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
    });
    await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
    const port = (mirror.address() as { port: number }).port;
    const p = testPrefix('first-run-mirror');
    const a = await startApi(testEnv(p));
    const token = `hf_${Date.now()}secret`;
    const w = startWorker(
      testEnv(p, { WORKER_DOMAINS: 'nlp', MODEL_PROFILE: 'default', MODELS_DIR: mkdtempSync(path.join(os.tmpdir(), 'ca-mirror-models-')), ALLOW_REMOTE_MODELS: 'true', HF_ENDPOINT: `http://127.0.0.1:${port}`, HF_TOKEN: token, MODEL_RETRY_S: '0', LOG_LEVEL: 'info' }),
    );
    try {
      const ready = await waitFor(async () => {
        const r = await get(a.url, '/readyz');
        return r.body.failed_models?.length === 3 ? r.body : undefined;
      }, 60_000, 'the three nlp models failed');
      expect(seen.some((s) => s.url.startsWith('/Xenova/distilbert-base-cased-distilled-squad/resolve/main/'))).toBe(true);
      expect(seen.filter((s) => s.auth)).toEqual([]);
      expect(ready.failed_models.map((m: { reason: string }) => m.reason)).toEqual(['not_on_hub', 'not_on_hub', 'not_on_hub']);
      expect(w.output()).not.toContain(token);
    } finally {
      await w.stop();
      await a.close();
      await new Promise((r) => mirror.close(r));
    }
  }, 90_000);
});
