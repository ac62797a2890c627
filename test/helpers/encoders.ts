/**
 * Customer media made at test time by real encoders: speech from espeak-ng, encoded by FFmpeg into
 * what phones and browsers send, AMR-NB by opencore-amr (Debian's FFmpeg has no AMR encoder; the
 * benz-amr-recorder package ships opencore's encoder compiled to JavaScript), HEIC and AVIF by
 * libheif's heif-enc, a PDF receipt printed by Chromium. Each is written once into a temp directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser } from '../browser/browser.js';
import { textImage } from './media.js';

export interface Fixture {
  name: string;
  /** What a client would call the file (the API ignores it). */
  file: string;
  bytes: Buffer;
  /** Audio: the source's duration; images and PDFs: their size in pixels or pages. */
  seconds?: number;
}

function run(cmd: string, args: string[], input?: Buffer): Buffer {
  const r = spawnSync(cmd, args, { input, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message} (npm test installs it: scripts/test.sh)`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString().slice(-500)}`);
  return r.stdout;
}

export const SPEECH = 'Hello, this is a voice message about my order. The parcel arrived damaged and I would like a refund.';

/** Duration of a WAV by FFmpeg's own reading (the oracle the decoders are compared with). */
export function seconds(file: string): number {
  return Number(run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file]).toString().trim());
}

/**
 * Every audio format of the real-media issue, from one spoken sentence. `repeat` loops the speech
 * (a longer file, e.g. to show an M4A whose index follows its samples); `only` keeps the files of one extension.
 */
export function audioFixtures(dir: string, opts: { repeat?: number; only?: string } = {}): Fixture[] {
  const src = path.join(dir, 'speech.wav');
  writeFileSync(path.join(dir, 'once.wav'), run('espeak-ng', ['--stdout', SPEECH]));
  run('ffmpeg', ['-v', 'error', '-y', '-stream_loop', String((opts.repeat ?? 1) - 1), '-i', path.join(dir, 'once.wav'), '-c:a', 'pcm_s16le', src]);
  const dur = seconds(src);
  const enc = (name: string, file: string, args: string[], input: string[] = ['-i', src]): Fixture | undefined => {
    if (opts.only && !file.endsWith(opts.only)) return undefined;
    const out = path.join(dir, file);
    run('ffmpeg', ['-v', 'error', '-y', ...input, ...args, out]);
    return { name, file, bytes: readFileSync(out), seconds: dur };
  };
  const video = ['-f', 'lavfi', '-i', `color=c=navy:s=320x240:r=15:d=${dur}`, '-i', src];
  return [
    enc('M4A/AAC (iPhone voice memo: index after the samples)', 'memo.m4a', ['-c:a', 'aac', '-b:a', '64k']),
    enc('WebM/Opus (Chrome MediaRecorder)', 'recording.webm', ['-c:a', 'libopus', '-b:a', '32k']),
    enc('FLAC', 'voice.flac', ['-c:a', 'flac']),
    enc('WAV μ-law 8 kHz (telephony)', 'call-ulaw.wav', ['-ar', '8000', '-c:a', 'pcm_mulaw']),
    enc('WAV A-law 8 kHz (telephony)', 'call-alaw.wav', ['-ar', '8000', '-c:a', 'pcm_alaw']),
    enc('WAV 24-bit', 'voice-s24.wav', ['-c:a', 'pcm_s24le']),
    enc('WAV 32-bit float', 'voice-f32.wav', ['-c:a', 'pcm_f32le']),
    enc('AAC (ADTS)', 'voice.aac', ['-c:a', 'aac', '-f', 'adts']),
    opts.only && opts.only !== '.amr' ? undefined : { ...amrNb(src, path.join(dir, 'mms.amr')), name: 'AMR-NB (MMS)', seconds: dur },
    opts.only ? undefined : enc('3GP with AMR-NB (MMS, older phones)', 'mms.3gp', ['-c:a', 'copy'], ['-i', path.join(dir, 'mms.amr')]),
    enc('MP4 video, H.264 + AAC', 'clip.mp4', ['-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest'], video),
    enc('MOV video, H.264 + AAC', 'clip.mov', ['-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest'], video),
  ].filter((f): f is Fixture => f !== undefined);
}

/** opencore-amr's AMR-NB encoder (mode 7, 12.2 kbit/s) on the speech resampled to 8 kHz by FFmpeg. */
function amrNb(src: string, out: string): Omit<Fixture, 'name'> {
  const pcm = run('ffmpeg', ['-v', 'error', '-i', src, '-ac', '1', '-ar', '8000', '-f', 'f32le', 'pipe:1']);
  const samples = new Float32Array(pcm.buffer, pcm.byteOffset, pcm.length / 4);
  // The package is a Web Worker script: it answers postMessage-style calls on `self`.
  const factory = createRequire(import.meta.url)('benz-amr-recorder/src/amrnb.js') as () => void;
  const g = globalThis as { self?: unknown };
  const saved = g.self;
  let amr: Uint8Array | undefined;
  const self = { postMessage: (m: { amr: Uint8Array }) => void (amr = m.amr), onmessage: undefined as undefined | ((e: unknown) => void) };
  g.self = self;
  try {
    factory();
    self.onmessage!({ data: { command: 'encode', samples, sampleRate: 8000 } });
  } finally {
    g.self = saved;
  }
  if (!amr?.length) throw new Error('AMR encoder produced nothing');
  writeFileSync(out, amr);
  return { file: path.basename(out), bytes: Buffer.from(amr) };
}

export const RECEIPT = { order: '58213-77', total: 'EUR 149.90' };

/** HEIC and AVIF of a printed label (heif-enc), as an iPhone or a recent Android phone would send. */
export async function imageFixtures(dir: string): Promise<Fixture[]> {
  const png = path.join(dir, 'label.png');
  writeFileSync(png, await textImage([`ORDER ${RECEIPT.order.split('-')[0]}`, 'TOTAL 45.67']));
  const heif = (name: string, file: string, extra: string[]): Fixture => {
    const out = path.join(dir, file);
    run('heif-enc', [...extra, '-q', '90', '-o', out, png]);
    return { name, file, bytes: readFileSync(out) };
  };
  return [heif('HEIC (iPhone camera)', 'IMG_0001.heic', []), heif('AVIF', 'photo.avif', ['--avif'])];
}

/** A receipt as a two-page PDF, printed by Chromium (as a shop's web checkout would make it). */
export async function receiptPdf(): Promise<Buffer> {
  const b = await launchBrowser();
  try {
    const style = 'font-family: DejaVu Sans; font-size: 30px; padding: 40px';
    await b.page.setContent(`<body style="${style}">
      <h1>ACME Store</h1><p>Receipt</p><p>Order number: ${RECEIPT.order}</p><p>Total: ${RECEIPT.total}</p>
      <p style="break-before: page">Thank you for shopping with us.</p></body>`);
    return await b.page.pdf({ format: 'A4', printBackground: true });
  } finally {
    await b.close();
  }
}

export function tempDir(tag: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ca-${tag}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every audio and image fixture above, made in a temp directory of their own (remove() deletes it). */
export async function customerMedia(tag: string): Promise<{ dir: string; audio: Fixture[]; images: Fixture[]; remove(): void }> {
  const tmp = tempDir(tag);
  try {
    return { ...tmp, audio: audioFixtures(tmp.dir), images: await imageFixtures(tmp.dir) };
  } catch (e) {
    tmp.remove();
    throw e;
  }
}
