/**
 * What phones, browsers and call centres send, made by real encoders at test time
 * (test/helpers/encoders.ts), probed as the API does and decoded as the worker does.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeUpload, probeUpload } from '../src/index.js';
import { loadConfig } from '@ca/shared';
import { audioFixtures, customerMedia, receiptPdf, tempDir, type Fixture } from '../../../test/helpers/encoders.js';
import { textImage } from '../../../test/helpers/media.js';
import { expectAppError, rms } from './helpers.js';

const CFG = loadConfig({ ENV_FILE: '' }); // the default limits
let media: Awaited<ReturnType<typeof customerMedia>> | undefined;
let audio: Fixture[];
let images: Fixture[];
const table: string[] = [];

beforeAll(async () => {
  media = await customerMedia('formats');
  ({ audio, images } = media);
});
afterAll(() => {
  media?.remove();
  // The note's table: format, fixture, what it decoded to, how long decoding took.
  console.log(['format | fixture | decoded | decode ms', ...table].join('\n'));
});



describe('audio from phones, browsers and telephony', () => {
  it('every format decodes to the speech it was made from, at 16 kHz mono', async () => {
    for (const f of audio) {
      const probe = await probeUpload('audio', f.bytes, CFG);
      const t0 = performance.now();
      const { audio: a } = await decodeUpload('audio', f.bytes, CFG);
      const ms = performance.now() - t0;
      table.push(`${f.name} | ${f.file}, ${f.bytes.length} B | ${a!.durationS.toFixed(3)} s of ${f.seconds!.toFixed(3)} s | ${ms.toFixed(0)}`);
      expect(a!.sampleRate, f.name).toBe(16_000);
      // Codec framing moves the ends a little (AAC priming, AMR's 20 ms frames, FLAC's last block).
      expect(Math.abs(a!.durationS - f.seconds!), `${f.name}: ${a!.durationS} s`).toBeLessThan(0.2);
      expect(rms(a!.samples), f.name).toBeGreaterThan(0.02); // speech, not silence
      expect(probe.mime, f.name).not.toBe('');
    }
  });

  it('μ-law and A-law WAVs decode sample for sample as FFmpeg decodes them', async () => {
    for (const f of audio.filter((x) => /law/.test(x.file))) {
      const { audio: a } = await decodeUpload('audio', f.bytes, { ...CFG });
      const ref = spawnSync('ffmpeg', ['-v', 'error', '-f', 'wav', '-i', 'pipe:0', '-ac', '1', '-ar', '8000', '-f', 'f32le', 'pipe:1'], { input: f.bytes }).stdout;
      const want = new Float32Array(ref.buffer, ref.byteOffset, ref.length / 4);
      // Ours is resampled to 16 kHz; compare at the source rate by decoding with sampleRate 8000.
      const { decodeAudio } = await import('../src/audio.js');
      const ours = await decodeAudio(f.bytes, { maxBytes: CFG.MAX_AUDIO_BYTES, maxSeconds: 120, sampleRate: 8000 });
      expect(a!.durationS).toBeCloseTo(want.length / 8000, 3);
      expect(ours.samples.length).toBe(want.length);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(ours.samples[i]! - want[i]!));
      expect(worst, f.file).toBeLessThan(1e-6);
    }
  });

  it('an M4A whose index (moov) follows its samples decodes whole, as iPhone recordings are written', async () => {
    const long = tempDir('formats-long');
    try {
      const m4a = audioFixtures(long.dir, { repeat: 8, only: '.m4a' })[0]!;
      const boxes: string[] = [];
      for (let o = 0; o + 8 <= m4a.bytes.length; o += m4a.bytes.readUInt32BE(o) || Infinity) boxes.push(m4a.bytes.toString('latin1', o + 4, o + 8));
      expect(boxes.indexOf('moov')).toBeGreaterThan(boxes.indexOf('mdat'));
      expect(m4a.bytes.length).toBeGreaterThan(300_000); // past what FFmpeg can read from a pipe without seeking
      const { audio: a } = await decodeUpload('audio', m4a.bytes, CFG);
      expect(Math.abs(a!.durationS - m4a.seconds!)).toBeLessThan(0.2);
    } finally {
      long.remove();
    }
  });

  it('without FFmpeg installed, its formats answer 503 decoder_unavailable naming the package; the rest still decode', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const m4a = audio.find((f) => f.file.endsWith('.m4a'))!;
      const e = await expectAppError(decodeUpload('audio', m4a.bytes, CFG), 503, 'decoder_unavailable');
      expect(e.details).toMatchObject({ decoder: 'ffmpeg', install: 'apt-get install ffmpeg' });
      expect(e.message).toContain('ffmpeg');
      const flac = audio.find((f) => f.file.endsWith('.flac'))!;
      expect((await decodeUpload('audio', flac.bytes, CFG)).audio!.durationS).toBeGreaterThan(1);
      const pdf = await receiptPdf();
      const p = await expectAppError(decodeUpload('document', pdf, CFG), 503, 'decoder_unavailable');
      expect(p.details).toMatchObject({ install: 'apt-get install poppler-utils' });
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('photos and documents', () => {
  it('HEIC (iPhone) and AVIF decode upright to the size they were made at, with the same pixels', async () => {
    const src = await sharp(await textImage(['ORDER 58213', 'TOTAL 45.67'])).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    for (const f of images) {
      const probe = await probeUpload('image', f.bytes, CFG);
      const t0 = performance.now();
      const { image } = await decodeUpload('image', f.bytes, CFG);
      table.push(`${f.name} | ${f.file}, ${f.bytes.length} B | ${image!.width}×${image!.height} | ${(performance.now() - t0).toFixed(0)}`);
      expect([image!.width, image!.height], f.name).toEqual([src.info.width, src.info.height]);
      expect(probe).toMatchObject({ width: src.info.width, height: src.info.height });
      let diff = 0;
      for (let i = 0; i < src.data.length; i++) diff += Math.abs(src.data[i]! - image!.data[i]!);
      expect(diff / src.data.length, f.name).toBeLessThan(8); // lossy, but the same picture
    }
  });

  it('a PDF renders its pages (each at most 2000 px on its long side) and says how many it has', async () => {
    const pdf = await receiptPdf();
    const probe = await probeUpload('document', pdf, CFG);
    expect(probe.mime).toBe('application/pdf');
    const t0 = performance.now();
    const { document } = await decodeUpload('document', pdf, CFG);
    table.push(`PDF receipt (Chromium) | receipt.pdf, ${pdf.length} B | ${document!.pages.length} pages, ${document!.pages[0]!.width}×${document!.pages[0]!.height} | ${(performance.now() - t0).toFixed(0)}`);
    expect(document!.total).toBe(2);
    expect(document!.pages).toHaveLength(2);
    for (const p of document!.pages) expect(Math.max(p.width, p.height)).toBe(2000);
    const one = await decodeUpload('document', pdf, { ...CFG, MAX_PDF_PAGES: 1 });
    expect(one.document).toMatchObject({ total: 2, pages: [expect.anything()] });
  });

  it('images stay images where a task takes only photos: a PDF is 415 for check-item-return-eligibility', async () => {
    await expectAppError(probeUpload('image', await receiptPdf(), CFG), 415, 'unsupported_media_type');
  });
});
