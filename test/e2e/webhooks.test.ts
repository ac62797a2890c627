/**
 * Webhooks end to end: a real HTTP receiver checks every delivery with the `standardwebhooks` library
 * (the specification's own, not our code); a receiver down, then failing, then up is delivered to once,
 * with every attempt in the log, also across a restart of the API that delivers; 410 stops; redelivery
 * sends the same message id; every form of a private address is refused at submit time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { get, pollJob, post } from '../helpers/http.js';
import { form, wav } from '../helpers/media.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const TEXT = { text: 'The parcel arrived two days late and the box was dented, but the blender inside works.' };

interface Received {
  headers: Record<string, string>;
  body: string;
  answered: number | 'reset';
}

/** A receiver that answers each request with the next entry of its script (then 200), and records it. */
async function receiver() {
  const got: Received[] = [];
  let script: (number | 'reset')[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const answer = script.shift() ?? 200;
      got.push({ headers: req.headers as Record<string, string>, body, answered: answer });
      if (answer === 'reset') req.socket.destroy();
      else res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/ca?token=receiver-secret`,
    got,
    answer: (s: (number | 'reset')[]) => (script = [...s]),
    close: () => new Promise((r) => server.close(r)),
  };
}

const verifier = new Webhook(SECRET.slice('whsec_'.length));
const verified = (r: Received) => verifier.verify(r.body, r.headers) as { type: string; data: { id: string; status: string; result?: unknown } };

let prefix: string;
let a: ApiHandle;
let worker: WorkerHandle;
let rx: Awaited<ReturnType<typeof receiver>>;
const env = () => testEnv(prefix, { WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', WEBHOOK_BACKOFF_MS: '300', WEBHOOK_ATTEMPTS: '5' });

beforeAll(async () => {
  prefix = testPrefix('webhooks');
  rx = await receiver();
  a = await startApi(env());
  worker = startWorker(testEnv(prefix, { WORKER_DOMAINS: 'nlp,audio' }));
  await waitFor(async () => (await get(a.url, '/readyz')).body.domains.nlp.ready && (await get(a.url, '/readyz')).body.domains.audio.ready, 60_000, 'nlp and audio served');
});
afterAll(async () => {
  await worker?.stop();
  await a?.close();
  await rx?.close();
});

const deliveries = async (id: string) => (await get(a.url, `/jobs/${id}/deliveries`)).body;

describe('webhooks', () => {
  it('a receiver down, then failing, then up: delivered once, signed, every attempt logged, across an API restart', async () => {
    rx.answer(['reset', 500]);
    const before = rx.got.length;
    const sub = await post(a.url, '/jobs/summarize-text', { ...TEXT, webhook: rx.url });
    expect(sub.status).toBe(202);
    const id = sub.body.id as string;
    // The first failed attempt lands; the API that delivers is replaced before the retries.
    await waitFor(async () => rx.got.length > before, 30_000, 'the first attempt');
    await a.close({ keepData: true });
    a = await startApi(env());
    await waitFor(async () => rx.got.slice(before).some((r) => r.answered === 200), 30_000, 'a delivery answered 200');
    const mine = rx.got.slice(before);
    expect(mine.map((r) => r.answered)).toEqual(['reset', 500, 200]);
    const msg = verified(mine[2]!);
    const job = (await get(a.url, `/jobs/${id}`)).body;
    expect(msg).toMatchObject({ type: 'job.completed', data: { id, status: 'completed', result: job.result } });
    // The same message id on every attempt: receivers de-duplicate on it.
    expect(new Set(mine.map((r) => r.headers['webhook-id']))).toEqual(new Set([`msg_${id}_completed`]));
    const log = await deliveries(id);
    console.log(`[webhooks] delivery log after an outage: ${JSON.stringify(log)}`);
    expect(log.webhook).toEqual({ url: rx.url.split('?')[0], events: ['completed', 'failed'] }); // the query (a token) is not shown
    expect(log.deliveries.map((d: { attempt: number; outcome: string; status?: number }) => [d.attempt, d.outcome, d.status])).toEqual([
      [1, 'retry', undefined],
      [2, 'retry', 500],
      [3, 'delivered', 200],
    ]);
    expect(log.deliveries[0].error).toBeTruthy();
    await new Promise((r) => setTimeout(r, 1500));
    expect(rx.got.length - before).toBe(3); // nothing after the 2xx
  }, 90_000);

  it('410 Gone stops the retries; a redelivery sends the same message again', async () => {
    rx.answer([410]);
    const before = rx.got.length;
    const id = (await post(a.url, '/jobs/summarize-text', { ...TEXT, webhook: rx.url })).body.id as string;
    await waitFor(async () => (await deliveries(id)).deliveries.length === 1, 30_000, 'one attempt');
    await new Promise((r) => setTimeout(r, 1500)); // past several backoff periods
    expect((await deliveries(id)).deliveries).toMatchObject([{ attempt: 1, status: 410, outcome: 'stopped' }]);
    expect(rx.got.length - before).toBe(1);
    const again = await post(a.url, `/jobs/${id}/deliveries/redeliver`);
    expect(again.status).toBe(202);
    await waitFor(async () => rx.got.length - before === 2, 30_000, 'the redelivery');
    const [first, second] = rx.got.slice(before);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(verified(second!).type).toBe('job.completed');
    expect((await deliveries(id)).deliveries.at(-1)).toMatchObject({ outcome: 'delivered', status: 200 });
  }, 60_000);

  it('an upload takes its webhook as form fields; a filter without its event sends nothing', async () => {
    const before = rx.got.length;
    const voice = wav({ seconds: 1 });
    const on = await post(a.url, '/jobs/audio-transcribe', form(voice, 'v.wav', { webhook: rx.url, webhook_events_filter: 'completed' }));
    const off = await post(a.url, '/jobs/audio-transcribe', form(voice, 'v.wav', { webhook: rx.url, webhook_events_filter: 'failed' }));
    expect([on.status, off.status]).toEqual([202, 202]);
    expect((await pollJob(a.url, off.body.id)).status).toBe('completed');
    await waitFor(async () => rx.got.length > before, 30_000, 'the upload job delivered');
    await new Promise((r) => setTimeout(r, 1000));
    const ids = rx.got.slice(before).map((r) => verified(r).data.id);
    expect(ids).toEqual([on.body.id]);
    expect((await deliveries(off.body.id)).deliveries).toEqual([]);
  }, 60_000);

  it('a key with its own secret (WEBHOOK_KEY_SECRETS) is signed with it; other keys with WEBHOOK_SECRET, or refused without one', async () => {
    const own = `whsec_${randomBytes(24).toString('base64')}`;
    const kPrefix = testPrefix('webhooks-keys');
    const keyEnv = (global: Record<string, string>) =>
      testEnv(kPrefix, { API_KEYS: 'desk-a,desk-b', WEBHOOK_KEY_SECRETS: `desk-a=${own}`, WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', ...global });
    let keyed = await startApi(keyEnv({}));
    const w = startWorker(testEnv(kPrefix, { WORKER_DOMAINS: 'nlp' }));
    const as = (k: string) => ({ Authorization: `Bearer ${k}` });
    try {
      await waitFor(async () => (await get(keyed.url, '/readyz')).body.domains.nlp.ready, 60_000, 'nlp served');
      // Without WEBHOOK_SECRET only desk-a may ask for webhooks.
      const refused = await post(keyed.url, '/jobs/summarize-text', { ...TEXT, webhook: rx.url }, as('desk-b'));
      expect([refused.status, refused.body.error.code]).toEqual([422, 'webhooks_not_configured']);
      const before = rx.got.length;
      const idA = (await post(keyed.url, '/jobs/summarize-text', { ...TEXT, webhook: rx.url }, as('desk-a'))).body.id as string;
      await waitFor(async () => rx.got.length > before, 30_000, "desk-a's delivery");
      const gotA = rx.got[before]!;
      expect((new Webhook(own.slice('whsec_'.length)).verify(gotA.body, gotA.headers) as { data: { id: string } }).data.id).toBe(idA);
      expect(() => verified(gotA)).toThrow(); // not signed with the global secret
      // With WEBHOOK_SECRET as well, desk-b is signed with it and desk-a still with its own.
      await keyed.close({ keepData: true });
      keyed = await startApi(keyEnv({ WEBHOOK_SECRET: SECRET }));
      const idB = (await post(keyed.url, '/jobs/summarize-text', { ...TEXT, webhook: rx.url }, as('desk-b'))).body.id as string;
      await waitFor(async () => rx.got.length > before + 1, 30_000, "desk-b's delivery");
      expect(verified(rx.got[before + 1]!).data.id).toBe(idB);
    } finally {
      await w.stop();
      await keyed.close();
    }
  }, 90_000);

  it('refuses every form of a private address, other schemes and credentials at submit time (422 webhook_refused)', async () => {
    const strict = await startApi(testEnv(testPrefix('webhooks-ssrf'), { WEBHOOK_SECRET: SECRET }));
    try {
      for (const url of [
        'http://127.0.0.1/hook',
        'http://127.1/hook',
        'http://2130706433/hook',
        'http://0x7f000001/hook',
        'http://[::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://[::ffff:7f00:1]/hook',
        'http://10.1.2.3/hook',
        'http://172.16.0.9/hook',
        'http://192.168.1.1/hook',
        'http://169.254.169.254/latest/meta-data',
        'http://[fe80::1]/hook',
        'http://[fd00::1]/hook',
        'http://0.0.0.0/hook',
        'http://localhost:8080/hook',
        'ftp://example.com/hook',
        'file:///etc/passwd',
        'http://user:pw@example.com/hook',
        'not a url',
      ]) {
        const r = await post(strict.url, '/jobs/summarize-text', { ...TEXT, webhook: url });
        expect(r.status, url).toBe(422);
        expect(r.body.error.code, url).toBe('webhook_refused');
      }
      const bad = await post(strict.url, '/jobs/summarize-text', { ...TEXT, webhook: rx.url, webhook_events_filter: ['started'] });
      expect(bad.body.error).toMatchObject({ code: 'validation_error', details: { field: 'webhook_events_filter' } });
    } finally {
      await strict.close();
    }
    const off = await startApi(testEnv(testPrefix('webhooks-off')));
    try {
      expect((await post(off.url, '/jobs/summarize-text', { ...TEXT, webhook: 'https://example.com/hook' })).body.error.code).toBe('webhooks_not_configured');
    } finally {
      await off.close();
    }
  }, 60_000);
});
