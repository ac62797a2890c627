/**
 * Each class of bad input gets its status and stable error code, as JSON. Decode errors found in the
 * worker travel back through the job and come out with the same code.
 */
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { form, productPhoto, wav } from '../helpers/media.js';
import { get, post } from '../helpers/http.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';

let api: ApiHandle;
let worker: WorkerHandle;
const prefix = testPrefix('errors');
const LIMITS = { MAX_TEXT_CHARS: '300', MAX_IMAGE_BYTES: '300000', MAX_AUDIO_SECONDS: '5', MAX_JSON_BYTES: '4096' };

beforeAll(async () => {
  worker = startWorker(testEnv(prefix, { ...LIMITS, WORKER_DOMAINS: 'nlp,vision,audio' }));
  api = await startApi(testEnv(prefix, LIMITS));
  await waitFor(async () => (await get(api.url, '/readyz')).status === 200, 120_000, 'worker ready');
});
afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

const expectError = (r: { status: number; body: any }, status: number, code: string) => {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body?.error?.code).toBe(code);
  expect(typeof r.body.error.message).toBe('string');
};

/** A PNG header that claims width × height, with a tiny compressed body. */
function pngClaiming(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(4096))), chunk('IEND', Buffer.alloc(0))]);
}

describe('JSON tasks', () => {
  it('malformed JSON → 400 invalid_json', async () => {
    expectError(await post(api.url, '/question-answering', '{"context": "x", '), 400, 'invalid_json');
  });
  it('missing field → 422 validation_error with the issues', async () => {
    const r = await post(api.url, '/question-answering', { context: 'Some text.' });
    expectError(r, 422, 'validation_error');
    expect(r.body.error.details.issues[0].path).toBe('question');
  });
  it('wrong-typed field → 422 validation_error', async () => {
    expectError(await post(api.url, '/summarize-text', { text: 'hello', max_length: 'long' }), 422, 'validation_error');
    expectError(await post(api.url, '/question-answering', [1, 2]), 422, 'validation_error');
  });
  it('text at the limit passes, one over is 413 text_too_long naming the limit', async () => {
    const ok = await post(api.url, '/translate-text', { text: 'a'.repeat(300), src_lang: 'en', target_lang: 'hi' });
    expect(ok.status).toBe(200);
    const r = await post(api.url, '/translate-text', { text: 'a'.repeat(301), src_lang: 'en', target_lang: 'hi' });
    expectError(r, 413, 'text_too_long');
    expect(r.body.error.details).toMatchObject({ field: 'text', limit_chars: 300, chars: 301 });
  });
  it('unsupported language → 422 unsupported_language with the supported list', async () => {
    const r = await post(api.url, '/translate-text', { text: 'hello', src_lang: 'en', target_lang: 'tlh' });
    expectError(r, 422, 'unsupported_language');
    expect(r.body.error.details.supported).toContain('hi');
    expect(r.body.error.details.field).toBe('target_lang');
  });
  it('body over the JSON limit → 413 body_too_large', async () => {
    expectError(await post(api.url, '/summarize-text', { text: 'x'.repeat(5000) }), 413, 'body_too_large');
  });
  it('a JSON task sent as form data → 415', async () => {
    expectError(await post(api.url, '/question-answering', form(undefined, undefined, { context: 'a', question: 'b' })), 415, 'unsupported_media_type');
  });
  it('unknown task → 404 unknown_task; unknown route → 404 not_found', async () => {
    expectError(await post(api.url, '/jobs/make-coffee', {}), 404, 'unknown_task');
    expectError(await post(api.url, '/make-coffee', {}), 404, 'not_found');
  });
});

describe('uploads', () => {
  it('text named .png → 415 judged by magic bytes', async () => {
    const r = await post(api.url, '/check-item-return-eligibility', form(Buffer.from('just some text, not an image'), 'photo.png'));
    expectError(r, 415, 'unsupported_media_type');
  });
  it('an image sent to an audio task → 415', async () => {
    expectError(await post(api.url, '/audio-transcribe', form(await productPhoto(), 'voice.wav')), 415, 'unsupported_media_type');
  });
  it('oversized file → 413 file_too_large', async () => {
    const r = await post(api.url, '/check-item-return-eligibility', form(Buffer.concat([await productPhoto(), Buffer.alloc(400_000)]), 'big.png'));
    expectError(r, 413, 'file_too_large');
    expect(r.body.error.details.limit_bytes).toBe(300_000);
  });
  it('an image of exactly MAX_IMAGE_BYTES passes, one byte more is 413', async () => {
    const png = await productPhoto();
    // Bytes after a PNG's IEND chunk are ignored by decoders: pad to the exact size.
    const exact = Buffer.concat([png, Buffer.alloc(300_000 - png.length)]);
    expect((await post(api.url, '/check-item-return-eligibility', form(exact, 'exact.png'))).status).toBe(200);
    const over = await post(api.url, '/check-item-return-eligibility', form(Buffer.concat([exact, Buffer.alloc(1)]), 'over.png'));
    expectError(over, 413, 'file_too_large');
  });
  it('audio of exactly MAX_AUDIO_SECONDS passes, a little more is 413', async () => {
    expect((await post(api.url, '/audio-transcribe', form(wav({ seconds: 5, sampleRate: 8000 }), 'five.wav'))).status).toBe(200);
    expectError(await post(api.url, '/audio-transcribe', form(wav({ seconds: 5.01, sampleRate: 8000 }), 'more.wav')), 413, 'audio_too_long');
  });
  it('no file → 422 file_required; two files → 400 invalid_multipart', async () => {
    expectError(await post(api.url, '/extract-text', form(undefined)), 422, 'file_required');
    const two = form(await productPhoto(), 'a.png');
    two.append('file', new Blob([new Uint8Array(await productPhoto())]), 'b.png');
    expectError(await post(api.url, '/extract-text', two), 400, 'invalid_multipart');
  });
  it('malformed multipart → 400 invalid_multipart', async () => {
    const r = await post(api.url, '/extract-text', '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nabc', {
      'content-type': 'multipart/form-data; boundary=xyz',
    });
    expectError(r, 400, 'invalid_multipart');
  });
  it('corrupt (truncated) image → 422 corrupt_media', async () => {
    const png = await productPhoto('png', 512);
    expectError(await post(api.url, '/check-item-return-eligibility', form(png.subarray(0, Math.floor(png.length / 2)), 'cut.png')), 422, 'corrupt_media');
  });
  it('pixel bomb → 413 image_dimensions_too_large, refused without decoding', async () => {
    const bomb = pngClaiming(20_000, 20_000);
    expect(bomb.length).toBeLessThan(10_000);
    const r = await post(api.url, '/extract-text', form(bomb, 'bomb.png'));
    expectError(r, 413, 'image_dimensions_too_large');
  });
  it('corrupt audio → 422 corrupt_media', async () => {
    const w = wav({ seconds: 1 });
    const bad = Buffer.concat([w.subarray(0, 12), Buffer.from('garbagegarbage')]);
    expectError(await post(api.url, '/audio-transcribe', form(bad, 'v.wav')), 422, 'corrupt_media');
  });
  it('audio over the duration cap → 413 audio_too_long', async () => {
    const r = await post(api.url, '/audio-transcribe', form(wav({ seconds: 6, sampleRate: 8000 }), 'long.wav'));
    expectError(r, 413, 'audio_too_long');
    expect(r.body.error.details.limit_seconds).toBe(5);
  });
  it('unsupported language on an upload field → 422', async () => {
    expectError(await post(api.url, '/audio-transcribe', form(wav({ seconds: 1 }), 'v.wav', { language: 'elvish' })), 422, 'unsupported_language');
  });
  it('unknown multipart field → 422 validation_error', async () => {
    expectError(await post(api.url, '/audio-transcribe', form(wav({ seconds: 1 }), 'v.wav', { speaker: 'x' })), 422, 'validation_error');
  });
});

describe('the worker survives all of it', () => {
  it('still answers after the bad inputs', async () => {
    const r = await post(api.url, '/check-item-return-eligibility', form(await productPhoto('jpeg'), 'ok.jpg'));
    expect(r.status).toBe(200);
    expect(worker.proc.exitCode).toBeNull();
  });
});

describe('requests Express never sees as valid', () => {
  it('a malformed %-escape in a job id is 400 invalid_path, not 500', async () => {
    for (const path of ['/jobs/%ZZ', '/jobs/%E0%A4%A', '/jobs/%']) expectError(await get(api.url, path), 400, 'invalid_path');
  });

  it("errors of Node's HTTP parser are JSON with a code too: huge headers 431, a broken request line 400", async () => {
    const raw = async (request: string) => {
      const net = await import('node:net');
      const u = new URL(api.url);
      return new Promise<string>((resolve, reject) => {
        const s = net.connect(Number(u.port), u.hostname, () => s.end(request));
        let out = '';
        s.on('data', (d) => (out += d));
        s.on('end', () => resolve(out));
        s.on('error', reject);
      });
    };
    const parse = (res: string) => ({ status: Number(res.split(' ')[1]), body: JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4)) });
    const big = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expectError(parse(big), 431, 'headers_too_large');
    expect(big).toMatch(/content-type: application\/json/i);
    expectError(parse(await raw('THIS IS NOT HTTP\r\n\r\n')), 400, 'bad_request');
  });
});
