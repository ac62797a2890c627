import { readFileSync } from 'node:fs';
import { createDeflate } from 'node:zlib';
import { expect } from 'vitest';
import { isAppError } from '@ca/shared';

/** Test inputs are built here from code (WAV, PNG bombs) or read from the committed fixtures. */

export const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** Deterministic bytes (xorshift32), so "random" inputs are the same on every run. */
export function pseudoRandom(n: number, seed = 0x12345678): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export interface WavSpec {
  rate: number;
  channels: number;
  seconds: number;
  format?: 'int' | 'float';
  bits?: 8 | 16 | 24 | 32 | 64;
  /** Sample value in [-1, 1] for channel c at time t (seconds). */
  signal?: (t: number, c: number) => number;
  /** Chunks placed between fmt and data (e.g. an odd-sized LIST). */
  extraChunks?: { id: string; body: Uint8Array }[];
  /** Overrides the size written in the data chunk header (the bytes written stay the real ones). */
  declaredDataSize?: number;
  /** Write a WAVE_FORMAT_EXTENSIBLE fmt chunk. */
  extensible?: boolean;
}

export const sine = (hz: number, amp = 0.5) => (t: number) => amp * Math.sin(2 * Math.PI * hz * t);

export function makeWav(s: WavSpec): Uint8Array {
  const format = s.format ?? 'int';
  const bits = s.bits ?? (format === 'float' ? 32 : 16);
  const bytes = bits / 8;
  const frames = Math.round(s.seconds * s.rate);
  const signal = s.signal ?? sine(440);
  const fmtSize = s.extensible ? 40 : 16;
  const extras = (s.extraChunks ?? []).reduce((n, c) => n + 8 + c.body.length + (c.body.length & 1), 0);
  const dataSize = frames * s.channels * bytes;
  const total = 12 + 8 + fmtSize + extras + 8 + dataSize;
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  const str = (o: number, v: string) => [...v].forEach((ch, i) => (b[o + i] = ch.charCodeAt(0)));
  str(0, 'RIFF');
  dv.setUint32(4, total - 8, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  dv.setUint32(16, fmtSize, true);
  const tag = format === 'float' ? 3 : 1;
  dv.setUint16(20, s.extensible ? 0xfffe : tag, true);
  dv.setUint16(22, s.channels, true);
  dv.setUint32(24, s.rate, true);
  dv.setUint32(28, s.rate * s.channels * bytes, true);
  dv.setUint16(32, s.channels * bytes, true);
  dv.setUint16(34, bits, true);
  if (s.extensible) {
    dv.setUint16(36, 22, true); // cbSize
    dv.setUint16(38, bits, true); // valid bits
    dv.setUint32(40, 0, true); // channel mask
    dv.setUint16(44, tag, true); // SubFormat GUID starts with the plain tag
  }
  let o = 20 + fmtSize;
  for (const c of s.extraChunks ?? []) {
    str(o, c.id);
    dv.setUint32(o + 4, c.body.length, true);
    b.set(c.body, o + 8);
    o += 8 + c.body.length + (c.body.length & 1);
  }
  str(o, 'data');
  dv.setUint32(o + 4, s.declaredDataSize ?? dataSize, true);
  o += 8;
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < s.channels; c++, o += bytes) {
      const v = Math.max(-1, Math.min(1, signal(f / s.rate, c)));
      if (format === 'float') {
        if (bits === 64) dv.setFloat64(o, v, true);
        else dv.setFloat32(o, v, true);
      } else if (bits === 8) dv.setUint8(o, Math.round(v * 127) + 128);
      else if (bits === 16) dv.setInt16(o, Math.round(v * 32767), true);
      else if (bits === 24) {
        const x = Math.round(v * 8388607);
        dv.setUint8(o, x & 0xff);
        dv.setUint8(o + 1, (x >> 8) & 0xff);
        dv.setInt8(o + 2, x >> 16);
      } else dv.setInt32(o, Math.round(v * 2147483647), true);
    }
  }
  return b;
}

/** Sign changes: a sine of f Hz over d seconds has about 2*f*d. */
export function zeroCrossings(x: Float32Array): number {
  let n = 0;
  for (let i = 1; i < x.length; i++) if ((x[i - 1]! < 0) !== (x[i]! < 0)) n++;
  return n;
}

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, to - from));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const v of b) c = CRC_TABLE[(c ^ v) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  const typed = new Uint8Array(4 + body.length);
  [...type].forEach((ch, i) => (typed[i] = ch.charCodeAt(0)));
  typed.set(body, 4);
  out.set(typed, 4);
  dv.setUint32(8 + body.length, crc32(typed));
  return out;
}

/**
 * A valid, fully decodable 1-bit greyscale PNG of size x size, all black. Rows are deflated one at
 * a time through a stream so the test itself never holds the decompressed image (size/8 * size bytes).
 */
export async function makePixelBombPng(size: number): Promise<Uint8Array> {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, size);
  dv.setUint32(4, size);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const deflate = createDeflate({ level: 6 });
  const parts: Buffer[] = [];
  deflate.on('data', (d: Buffer) => parts.push(d));
  const done = new Promise<void>((res, rej) => deflate.on('end', res).on('error', rej));
  // Each row is filter byte 0 + zero pixels, so a run of rows is just zeros; write 500 rows at a time
  // (one write per row makes the stream overhead dominate: seconds instead of ~0.1 s).
  const rowBytes = 1 + Math.ceil(size / 8);
  const batch = new Uint8Array(rowBytes * 500);
  for (let y = 0; y < size; y += 500) deflate.write(batch.subarray(0, rowBytes * Math.min(500, size - y)));
  deflate.end();
  await done;
  const sig = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(
    Buffer.concat([sig, pngChunk('IHDR', ihdr), pngChunk('IDAT', Buffer.concat(parts)), pngChunk('IEND', new Uint8Array())]),
  );
}

/** Awaits `p` and checks it failed with the given AppError status and code; returns the error. */
export async function expectAppError(p: Promise<unknown>, status: number, code: string) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${status} ${code}`).toBeDefined();
  if (!isAppError(err)) throw err;
  expect({ status: err.status, code: err.code, message: err.message }).toMatchObject({ status, code });
  return err;
}
