/**
 * Real customer media through HTTP, end to end: every audio format phones and browsers record, HEIC
 * and AVIF photos and a PDF receipt, made by real encoders (test/helpers/encoders.ts), each answered
 * by its task on a real worker; and hostile versions refused with a typed JSON error.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASKS } from '@ca/shared';
import { startApi, type ApiHandle } from '../helpers/api.js';
import { customerMedia, RECEIPT, receiptPdf, type Fixture } from '../helpers/encoders.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { get, post } from '../helpers/http.js';
import { form } from '../helpers/media.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';

let api: ApiHandle;
let worker: WorkerHandle;
const prefix = testPrefix('media');
let media: Awaited<ReturnType<typeof customerMedia>> | undefined;
let audio: Fixture[];
let images: Fixture[];
const table: string[] = [];

beforeAll(async () => {
  // Made first: the encoders run synchronously, and the API below runs in this process.
  media = await customerMedia('media-e2e');
  ({ audio, images } = media);
  worker = startWorker(testEnv(prefix));
  api = await startApi(testEnv(prefix));
  await waitFor(async () => (await get(api.url, '/readyz')).status === 200, 120_000, 'worker ready').catch((e) => {
    throw new Error(`${(e as Error).message}\n${worker.output().slice(-3000)}`);
  });
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
  media?.remove();
  console.log(['format | fixture | task | result | ms', ...table].join('\n'));
});

async function timedPost(p: string, body: FormData) {
  const t0 = performance.now();
  const r = await post(api.url, p, body);
  return { ...r, ms: Math.round(performance.now() - t0) };
}

describe('real media through HTTP', () => {
  it('every voice format is transcribed, with the duration it was recorded at', async () => {
    for (const f of audio) {
      const r = await timedPost('/audio-transcribe', form(f.bytes, f.file));
      expect(r.status, `${f.name}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(TASKS['audio-transcribe'].result.safeParse(r.body).success).toBe(true);
      expect(Math.abs(r.body.duration_s - f.seconds!), f.name).toBeLessThan(0.2);
      table.push(`${f.name} | ${f.file} | audio-transcribe | duration_s ${r.body.duration_s} | ${r.ms}`);
    }
  });

  it('HEIC and AVIF photos: the label is read, and the damage check answers', async () => {
    for (const f of images) {
      const r = await timedPost('/extract-text', form(f.bytes, f.file));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.text.replace(/\s/g, ''), f.name).toContain(RECEIPT.order.split('-')[0]);
      expect(r.body.text, f.name).toContain('45.67');
      expect(r.body.lines.every((l: { page: number }) => l.page === 1)).toBe(true);
      table.push(`${f.name} | ${f.file} | extract-text | ${JSON.stringify(r.body.text)} | ${r.ms}`);
      const d = await timedPost('/check-item-return-eligibility', form(f.bytes, f.file));
      expect(d.status, JSON.stringify(d.body)).toBe(200);
      table.push(`${f.name} | ${f.file} | check-item-return-eligibility | ${d.body.detection?.label} | ${d.ms}`);
    }
  });

  it('a PDF receipt: its order number and amount are read exactly, each line with its page', async () => {
    const pdf = await receiptPdf();
    const r = await timedPost('/extract-text', form(pdf, 'receipt.pdf'));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(TASKS['extract-text'].result.safeParse(r.body).success).toBe(true);
    const lines: { text: string; page: number }[] = r.body.lines;
    expect(lines.find((l) => l.text.includes('Order'))?.text).toContain(RECEIPT.order);
    expect(lines.find((l) => l.text.includes('Total'))?.text).toContain(RECEIPT.total);
    expect(lines.find((l) => /Thank/.test(l.text))?.page).toBe(2);
    expect(r.body.pages).toEqual({ read: 2, total: 2 });
    table.push(`PDF receipt | receipt.pdf | extract-text | ${JSON.stringify(lines.map((l) => `p${l.page} ${l.text}`))} | ${r.ms}`);
  });
});

describe('hostile media through HTTP: a typed JSON error, no trace of a job', () => {
  it('a playlist is 415 at the API; a HEIC that declares 20000×20000 is 413 at the API; a PDF is 415 where only photos are taken', async () => {
    const playlist = Buffer.from('#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1:9/seg.ts\n#EXT-X-ENDLIST\n');
    const r1 = await post(api.url, '/audio-transcribe', form(playlist, 'voice.m4a'));
    expect(r1.status).toBe(415);
    expect(r1.body.error.code).toBe('unsupported_media_type');
    const heic = Buffer.from(images.find((f) => f.file.endsWith('.heic'))!.bytes);
    for (let at = heic.indexOf('ispe'); at >= 0; at = heic.indexOf('ispe', at + 1)) {
      heic.writeUInt32BE(20_000, at + 8);
      heic.writeUInt32BE(20_000, at + 12);
    }
    const r2 = await post(api.url, '/extract-text', form(heic, 'IMG.heic'));
    expect(r2.status).toBe(413);
    expect(r2.body.error.code).toBe('image_dimensions_too_large');
    const r3 = await post(api.url, '/check-item-return-eligibility', form(await receiptPdf(), 'r.pdf'));
    expect(r3.status).toBe(415);
    expect(r3.body.error.details.accepted).not.toContain('application/pdf');
  });

  it('an M4A cut in half passes the API checks (its type is right) and is answered 422 corrupt_media by the worker', async () => {
    const m4a = audio.find((f) => path.extname(f.file) === '.m4a')!;
    const r = await post(api.url, '/audio-transcribe', form(m4a.bytes.subarray(0, m4a.bytes.length >> 1), 'memo.m4a'));
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.error.code).toBe('corrupt_media');
    expect(JSON.stringify(r.body)).not.toMatch(/ca-ffmpeg-|\/tmp\//); // no temp paths of the worker's
  });
});
