import { corruptMedia } from '@ca/shared';
import { clampSample } from './pcm.js';

/**
 * A small RIFF/WAVE reader. Written here rather than taken from a package so that every size the
 * header declares is checked against the bytes actually present before anything is allocated.
 */

export interface WavInfo {
  format: 'int' | 'float' | 'mulaw' | 'alaw';
  bitsPerSample: number; // container bits: 8, 16, 24, 32 (int), 32, 64 (float) or 8 (G.711 μ-law, A-law)
  channels: number;
  sampleRate: number;
  blockAlign: number;
  dataOffset: number;
  frames: number; // whole sample frames present in the data chunk
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
/** G.711, the telephony codecs: call-centre recordings are WAVs of these at 8 kHz. */
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Writers that stream (ffmpeg to a pipe, some recorders) cannot seek back and leave this size. */
const SIZE_UNKNOWN = 0xffffffff;
export const MAX_CHANNELS = 8;
export const MIN_RATE = 4000;
export const MAX_RATE = 192000;

const fourcc = (b: Uint8Array, o: number) => String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);

export function parseWav(b: Uint8Array): WavInfo {
  if (b.length < 12 || fourcc(b, 0) !== 'RIFF' || fourcc(b, 8) !== 'WAVE') throw corruptMedia('Not a RIFF/WAVE file');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let fmt: Omit<WavInfo, 'dataOffset' | 'frames'> | undefined;
  let data: { offset: number; size: number } | undefined;
  // Every step moves at least 8 bytes forward, so this ends on any input.
  for (let off = 12; off + 8 <= b.length && !(fmt && data); ) {
    const id = fourcc(b, off);
    const size = dv.getUint32(off + 4, true);
    const body = off + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > b.length) throw corruptMedia('WAV fmt chunk is truncated');
      fmt = parseFmt(dv, body, size);
    } else if (id === 'data') {
      const available = b.length - body;
      if (size === SIZE_UNKNOWN) {
        data = { offset: body, size: available };
      } else if (size > available) {
        // Decided: a data chunk shorter than declared is refused, not decoded in part. A cut upload is
        // more likely a client bug than a wish to send half a recording.
        throw corruptMedia('WAV data chunk is truncated', { declared_bytes: size, available_bytes: available });
      } else {
        data = { offset: body, size };
      }
    }
    if (size === SIZE_UNKNOWN) break;
    off = body + size + (size & 1); // chunks are word-aligned: odd sizes carry a pad byte
  }
  if (!fmt) throw corruptMedia('WAV has no fmt chunk');
  if (!data) throw corruptMedia('WAV has no data chunk');
  const frames = Math.floor(data.size / fmt.blockAlign);
  if (frames === 0) throw corruptMedia('WAV has no samples');
  return { ...fmt, dataOffset: data.offset, frames };
}

function parseFmt(dv: DataView, o: number, size: number): Omit<WavInfo, 'dataOffset' | 'frames'> {
  let tag = dv.getUint16(o, true);
  const channels = dv.getUint16(o + 2, true);
  const sampleRate = dv.getUint32(o + 4, true);
  const blockAlign = dv.getUint16(o + 12, true);
  const bitsPerSample = dv.getUint16(o + 14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    // The real format tag is the first two bytes of the SubFormat GUID at offset 24.
    if (size < 40) throw corruptMedia('WAV extensible fmt chunk is truncated');
    tag = dv.getUint16(o + 24, true);
  }
  const details = { format_tag: tag, bits_per_sample: bitsPerSample, channels, sample_rate: sampleRate };
  let format: WavInfo['format'];
  if (tag === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) format = 'int';
  else if (tag === WAVE_FORMAT_IEEE_FLOAT && (bitsPerSample === 32 || bitsPerSample === 64)) format = 'float';
  else if (tag === WAVE_FORMAT_MULAW && bitsPerSample === 8) format = 'mulaw';
  else if (tag === WAVE_FORMAT_ALAW && bitsPerSample === 8) format = 'alaw';
  else throw corruptMedia('WAV sample format is not supported (PCM 8/16/24/32-bit, float 32/64-bit, μ-law or A-law)', details);
  if (channels < 1 || channels > MAX_CHANNELS) throw corruptMedia('WAV channel count is not supported', details);
  if (sampleRate < MIN_RATE || sampleRate > MAX_RATE) throw corruptMedia('WAV sample rate is not supported', details);
  if (blockAlign !== channels * (bitsPerSample / 8)) throw corruptMedia('WAV block size is inconsistent', details);
  return { format, bitsPerSample, channels, sampleRate, blockAlign };
}

/** Converts the data chunk to mono float in [-1, 1] by averaging channels. */
export function wavToMono(b: Uint8Array, w: WavInfo): Float32Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float32Array(w.frames);
  const bytes = w.bitsPerSample / 8;
  const read = sampleReader(dv, w);
  const scale = 1 / w.channels;
  for (let f = 0, p = w.dataOffset; f < w.frames; f++) {
    let acc = 0;
    for (let c = 0; c < w.channels; c++, p += bytes) acc += read(p);
    out[f] = acc * scale;
  }
  return out;
}

function sampleReader(dv: DataView, w: WavInfo): (p: number) => number {
  if (w.format === 'float') {
    // Hostile floats can be NaN/Inf or far outside [-1, 1]: clamp so the model sees sane input.
    const get = w.bitsPerSample === 64 ? (p: number) => dv.getFloat64(p, true) : (p: number) => dv.getFloat32(p, true);
    return (p) => clampSample(get(p));
  }
  if (w.format === 'mulaw' || w.format === 'alaw') {
    const table = w.format === 'mulaw' ? MULAW : ALAW;
    return (p) => table[dv.getUint8(p)]!;
  }
  switch (w.bitsPerSample) {
    case 8:
      return (p) => (dv.getUint8(p) - 128) / 128; // 8-bit WAV is unsigned
    case 16:
      return (p) => dv.getInt16(p, true) / 32768;
    case 24:
      return (p) => ((dv.getUint8(p) | (dv.getUint8(p + 1) << 8) | (dv.getInt8(p + 2) << 16)) / 8388608);
    default:
      return (p) => dv.getInt32(p, true) / 2147483648;
  }
}

/**
 * G.711 expansion (ITU-T G.711, as in FFmpeg's pcm_mulaw/pcm_alaw decoders), one 256-entry table per
 * law, scaled to [-1, 1] the way a 16-bit sample is.
 */
const MULAW = Float32Array.from({ length: 256 }, (_, i) => {
  const u = ~i & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return (u & 0x80 ? 0x84 - t : t - 0x84) / 32768;
});
const ALAW = Float32Array.from({ length: 256 }, (_, i) => {
  const a = i ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  t = seg === 0 ? t + 8 : seg === 1 ? t + 0x108 : (t + 0x108) << (seg - 1);
  return (a & 0x80 ? t : -t) / 32768;
});
