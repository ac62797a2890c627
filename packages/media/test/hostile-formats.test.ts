/**
 * Hostile versions of the formats phones send: truncated, lying headers, decoder bombs, polyglots and
 * FFmpeg's own tricks (playlists and file references). Every one ends in a typed 4xx or a bounded
 * decode, and the decoders touch no file or network address of the input's choosing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { isAppError, loadConfig } from '@ca/shared';
import { decodeUpload, probeUpload } from '../src/index.js';
import { decodeWithFfmpeg } from '../src/ffmpeg.js';
import { customerMedia, type Fixture } from '../../../test/helpers/encoders.js';
import { textImage } from '../../../test/helpers/media.js';
import { expectAppError } from './helpers.js';

// The default limits, with a shorter decode time limit (a decoder stuck on a FIFO would show as a timeout).
const CFG = { ...loadConfig({ ENV_FILE: '' }), DECODE_TIMEOUT_MS: 10_000 };
let tmp: Awaited<ReturnType<typeof customerMedia>>;
let audio: Record<string, Fixture>;
let audioList: Fixture[];
let images: Record<string, Fixture>;
/** Counts every request: a decoder that followed a URL in its input would show up here. */
let server: Server;
let hits = 0;
let base = '';

beforeAll(async () => {
  const byExt = (fs: Fixture[]) => Object.fromEntries(fs.map((f) => [path.extname(f.file).slice(1), f]));
  tmp = await customerMedia('hostile');
  audioList = tmp.audio;
  audio = byExt(audioList); // one fixture per extension (of the WAVs, the last)
  images = byExt(tmp.images);
  server = createServer((_req, res) => {
    hits++;
    res.end('#EXTM3U\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  tmp?.remove();
  await new Promise((r) => server.close(r));
});

/** The outcome of decoding, as a short string: "ok 2.8 s" or "422 corrupt_media"; throws on anything untyped. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    const r = (await p) as { audio?: { durationS: number }; image?: unknown; document?: { pages: unknown[] } };
    return r.audio ? `ok ${r.audio.durationS.toFixed(1)} s` : 'ok';
  } catch (e) {
    if (!isAppError(e)) throw e;
    expect([413, 415, 422], e.message).toContain(e.status);
    return `${e.status} ${e.code}`;
  }
}

const lavfi = (file: string, args: string[]) => {
  const out = path.join(tmp.dir, file);
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, out]);
  return out;
};
const read = (f: string) => readFileSync(f);

/** Offset of a four-character box type in an ISO-BMFF file (first occurrence). */
const box = (b: Buffer, type: string) => b.indexOf(Buffer.from(type, 'latin1'));

/** A minimal PDF of `pages` pages with one MediaBox and content, built object by object with its xref. */
function pdf(pages: number, mediaBox = '0 0 612 792', content = 'BT /F1 24 Tf 72 700 Td (Order 1) Tj ET'): Buffer {
  const page = `<< /Type /Page /Parent 2 0 R /MediaBox [${mediaBox}] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Count ${pages} /Kids [${Array.from({ length: pages }, (_, i) => `${i + 5} 0 R`).join(' ')}] >>`,
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ...Array.from({ length: pages }, () => page),
  ];
  let s = '%PDF-1.4\n';
  const offsets = objs.map((o, i) => {
    const at = s.length;
    s += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = s.length;
  s += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  s += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(s, 'latin1');
}

describe('truncated', () => {
  it('an MP4-family file cut in half has lost its index: 422; stream formats decode the part that is there', async () => {
    for (const ext of ['m4a', 'mp4', 'mov']) {
      const f = audio[ext]!;
      expect(await outcome(decodeUpload('audio', f.bytes.subarray(0, f.bytes.length >> 1), CFG)), ext).toBe('422 corrupt_media');
    }
    // WebM, ADTS, AMR and FLAC are streams (as MP3 and Ogg are): a cut keeps its complete frames.
    for (const ext of ['webm', 'aac', 'amr', 'flac']) {
      const f = audio[ext]!;
      const r = await outcome(decodeUpload('audio', f.bytes.subarray(0, f.bytes.length >> 1), CFG));
      const s = Number(r.match(/^ok ([\d.]+) s$/)?.[1]);
      expect(s, `${ext}: ${r}`).toBeGreaterThan(f.seconds! * 0.3);
      expect(s, `${ext}: ${r}`).toBeLessThan(f.seconds! * 0.7);
    }
  });

  it('every new format cut to its first 12 bytes is a typed refusal', async () => {
    for (const f of audioList) expect(await outcome(decodeUpload('audio', f.bytes.subarray(0, 12), CFG)), f.file).toMatch(/^4\d\d /);
    for (const f of Object.values(images)) expect(await outcome(decodeUpload('image', f.bytes.subarray(0, 12), CFG)), f.file).toMatch(/^4\d\d /);
    expect(await outcome(decodeUpload('document', pdf(1).subarray(0, 12), CFG))).toBe('422 corrupt_media');
  });

  it('HEIC and AVIF with their pixel data cut off: 422 at decode', async () => {
    for (const f of Object.values(images)) {
      const cut = f.bytes.subarray(0, Math.floor(f.bytes.length * 0.7));
      expect(await outcome(decodeUpload('image', cut, CFG)), f.file).toBe('422 corrupt_media');
    }
  });
});

describe('headers that lie', () => {
  it('FLAC that declares 10 hours is refused from its header; one that declares 1 s decodes its real length', async () => {
    const f = audio.flac!;
    const patch = (total: number) => {
      const b = Buffer.from(f.bytes);
      const s = 8 + 13; // STREAMINFO: the 36-bit total starts in the low nibble of byte 13
      b[s] = (b[s]! & 0xf0) | Math.floor(total / 2 ** 32);
      b.writeUInt32BE(total % 2 ** 32, s + 1);
      return b;
    };
    const rate = 22050;
    await expectAppError(probeUpload('audio', patch(10 * 3600 * rate), CFG), 413, 'audio_too_long');
    expect(await outcome(decodeUpload('audio', patch(rate), CFG))).toBe(`ok ${(await outcome(decodeUpload('audio', f.bytes, CFG))).split(' ')[1]} s`);
  });

  it('an M4A whose header claims 10 hours decodes to its real length', async () => {
    const b = Buffer.from(audio.m4a!.bytes);
    for (const t of ['mvhd', 'mdhd']) {
      const at = box(b, t) + 4; // version 0: flags, creation, modification, timescale, duration
      b.writeUInt32BE(b.readUInt32BE(at + 12) * 36_000, at + 16);
    }
    const r = await outcome(decodeUpload('audio', b, CFG));
    expect(Math.abs(Number(r.split(' ')[1]) - audio.m4a!.seconds!)).toBeLessThan(0.2);
  });

  it('HEIC and AVIF that declare 20000×20000 are refused from the header (413), before a pixel is decoded', async () => {
    for (const f of Object.values(images)) {
      const b = Buffer.from(f.bytes);
      // Every image item (heif-enc writes the primary and its tiles' properties) gets the lie.
      for (let at = box(b, 'ispe'); at >= 0; at = b.indexOf('ispe', at + 1)) {
        b.writeUInt32BE(20_000, at + 8); // after the type: version/flags, width, height
        b.writeUInt32BE(20_000, at + 12);
      }
      await expectAppError(probeUpload('image', b, CFG), 413, 'image_dimensions_too_large');
      await expectAppError(decodeUpload('image', b, CFG), 413, 'image_dimensions_too_large');
    }
  });
});

describe('decoder bombs', () => {
  it('tiny files that decode to far more audio than allowed are stopped at the limit', async () => {
    const silence = ['-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-t', '600'];
    const bombs = {
      flac: read(lavfi('bomb.flac', [...silence, '-c:a', 'flac'])),
      m4a: read(lavfi('bomb.m4a', [...silence, '-c:a', 'aac', '-b:a', '8k'])),
      webm: read(lavfi('bomb.webm', [...silence, '-c:a', 'libopus', '-b:a', '6k'])),
    };
    // The FLAC header says 600 s: refused at the API, before decoding. With the length zeroed
    // (a stream) the decoder counts samples and stops at the limit, as FFmpeg's capped output does.
    await expectAppError(probeUpload('audio', bombs.flac, CFG), 413, 'audio_too_long');
    const unknown = Buffer.from(bombs.flac);
    unknown.fill(0, 8 + 13, 8 + 18);
    unknown[8 + 13] = bombs.flac[8 + 13]! & 0xf0;
    for (const [name, b] of Object.entries({ ...bombs, flac: unknown })) {
      expect(b.length, name).toBeLessThan(CFG.MAX_AUDIO_BYTES / 10);
      const e = await expectAppError(decodeUpload('audio', b, CFG), 413, 'audio_too_long');
      // FFmpeg is stopped as its output passes the limit: it reports the length it reached, not the whole.
      expect(e.details?.seconds, name).toBeGreaterThanOrEqual(CFG.MAX_AUDIO_SECONDS);
    }
  });

  it('a PDF page that claims to be 200 inches square renders no bigger than a letter page', async () => {
    const { document } = await decodeUpload('document', pdf(1, '0 0 14400 14400'), CFG);
    expect(document!.pages[0]).toMatchObject({ width: 2000, height: 2000 });
  });

  it('a PDF over MAX_IMAGE_BYTES is refused before poppler reads it (413 file_too_large)', async () => {
    const big = pdf(3000);
    const small = { ...CFG, MAX_IMAGE_BYTES: big.length - 1 };
    await expectAppError(probeUpload('document', big, small), 413, 'file_too_large');
    await expectAppError(decodeUpload('document', big, small), 413, 'file_too_large');
  });

  it('a PDF of 3,000 pages renders its first MAX_PDF_PAGES and counts the rest', async () => {
    const { document } = await decodeUpload('document', pdf(3000), CFG);
    expect(document!.total).toBe(3000);
    expect(document!.pages).toHaveLength(CFG.MAX_PDF_PAGES);
  });

  it('a decoder that runs past DECODE_TIMEOUT_MS is stopped: 422 decode_timeout', async () => {
    await expectAppError(decodeUpload('document', pdf(40), { ...CFG, MAX_PDF_PAGES: 40, DECODE_TIMEOUT_MS: 100 }), 422, 'decode_timeout');
    await expectAppError(decodeUpload('audio', audio.m4a!.bytes, { ...CFG, DECODE_TIMEOUT_MS: 1 }), 422, 'decode_timeout');
  });
});

describe('polyglots and FFmpeg tricks', () => {
  const playlist = () => `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${base}/seg.ts\n#EXTINF:1,\nfile://${tmp.dir}/fifo\n#EXT-X-ENDLIST\n`;

  it('an HLS playlist or an FFmpeg concat script is not an accepted format (415), and nothing is fetched', async () => {
    const concat = `ffconcat version 1.0\nfile '${base}/a.wav'\nfile '/etc/passwd'\n`;
    for (const text of [playlist(), concat]) {
      await expectAppError(probeUpload('audio', Buffer.from(text), CFG), 415, 'unsupported_media_type');
      await expectAppError(decodeUpload('audio', Buffer.from(text), CFG), 415, 'unsupported_media_type');
    }
    expect(hits).toBe(0);
  });

  it('forced through FFmpeg as each accepted container, a playlist is corrupt input: no request, no file opened', async () => {
    // A FIFO: opening it for reading would block FFmpeg until the time limit (decode_timeout), so a
    // prompt corrupt_media also shows the file reference was never followed.
    execFileSync('mkfifo', [path.join(tmp.dir, 'fifo')]);
    for (const demuxer of ['mov', 'matroska', 'aac', 'amr']) {
      const e = await decodeWithFfmpeg(Buffer.from(playlist()), demuxer, { maxSeconds: 120, targetRate: 16_000, timeoutMs: 5_000 }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isAppError(e) && `${e.status} ${e.code}`, demuxer).toBe('422 corrupt_media');
    }
    expect(hits).toBe(0);
  });

  it('a WAV carrying a playlist in a chunk of its own decodes as the WAV it is', async () => {
    const wav = Buffer.from(audioList.find((f) => f.file.endsWith('s24.wav'))!.bytes);
    const text = Buffer.from(playlist());
    const chunk = Buffer.concat([Buffer.from('LIST'), Buffer.alloc(4), text, Buffer.alloc(text.length & 1)]);
    chunk.writeUInt32LE(text.length, 4);
    const poly = Buffer.concat([wav.subarray(0, 12), chunk, wav.subarray(12)]); // first chunk after "WAVE"
    poly.writeUInt32LE(poly.length - 8, 4);
    expect(await outcome(decodeUpload('audio', poly, CFG))).toMatch(/^ok /);
    expect(hits).toBe(0);
  });

  it('a PNG with a PDF appended is read as the PNG (its first bytes decide), not rendered as a PDF', async () => {
    const label = await textImage(['POLYGLOT']);
    const poly = Buffer.concat([label, pdf(3)]);
    expect((await probeUpload('document', poly, CFG)).mime).toBe('image/png');
    const { document } = await decodeUpload('document', poly, CFG);
    const { width, height } = await sharp(label).metadata();
    expect(document).toMatchObject({ total: 1, pages: [expect.objectContaining({ width, height })] });
  });
});
