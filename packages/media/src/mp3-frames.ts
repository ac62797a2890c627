/**
 * MPEG audio Layer III frame headers, read without decoding. Used to (a) confirm that bytes which merely
 * start with a frame sync really are MP3 (a chain of valid frames), and (b) learn the duration and
 * channel count cheaply, so an over-long upload is refused before any PCM is produced.
 */

const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] as const;
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160] as const;
const RATES: Record<number, readonly number[]> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};

export interface Mp3FrameHeader {
  version: number; // raw 2-bit id: 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
  sampleRate: number;
  channels: 1 | 2;
  samples: number; // PCM samples per channel this frame yields
  length: number; // bytes, header included
}

/** Parses a Layer III header at `off`, or undefined when those 4 bytes are not one we can decode. */
export function parseMp3Header(b: Uint8Array, off: number): Mp3FrameHeader | undefined {
  if (off + 4 > b.length) return undefined;
  const b1 = b[off + 1]!;
  const b2 = b[off + 2]!;
  if (b[off] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const version = (b1 >> 3) & 3;
  const layer = (b1 >> 1) & 3;
  if (version === 1 || layer !== 1) return undefined; // reserved version, or not Layer III
  const brIdx = b2 >> 4;
  const srIdx = (b2 >> 2) & 3;
  // Free-format (0) has no length in the header; 15 and sample-rate index 3 are invalid.
  if (brIdx === 0 || brIdx === 15 || srIdx === 3) return undefined;
  const sampleRate = RATES[version]![srIdx]!;
  const kbps = (version === 3 ? BITRATES_V1 : BITRATES_V2)[brIdx]!;
  const padding = (b2 >> 1) & 1;
  const perFrame = version === 3 ? 144 : 72;
  const length = Math.floor((perFrame * kbps * 1000) / sampleRate) + padding;
  const channels = b[off + 3]! >> 6 === 3 ? 1 : 2;
  return { version, sampleRate, channels, samples: version === 3 ? 1152 : 576, length };
}

/** Bytes to skip for an ID3v2 tag at the start (0 when there is none). */
export function id3v2Size(b: Uint8Array): number {
  if (b.length < 10 || b[0] !== 0x49 || b[1] !== 0x44 || b[2] !== 0x33) return 0;
  // Sizes are 4 x 7-bit "syncsafe" bytes; a footer adds 10 more.
  const size = ((b[6]! & 0x7f) << 21) | ((b[7]! & 0x7f) << 14) | ((b[8]! & 0x7f) << 7) | (b[9]! & 0x7f);
  return 10 + size + (b[5]! & 0x10 ? 10 : 0);
}

export const hasId3v2 = (b: Uint8Array): boolean => id3v2Size(b) > 0;

/** True when a frame at `off` is followed by `need - 1` more frames of the same stream (or by EOF). */
function chainAt(b: Uint8Array, off: number, need: number): boolean {
  const first = parseMp3Header(b, off);
  if (!first) return false;
  let pos = off;
  for (let i = 0; i < need; i++) {
    const h = parseMp3Header(b, pos);
    if (!h || h.version !== first.version || h.sampleRate !== first.sampleRate) return false;
    pos += h.length;
    if (pos >= b.length) return i > 0 || pos === b.length; // ran into EOF after a whole frame
  }
  return true;
}

/** First offset in [from, from+window) where a chain of 3 frames starts, or -1. */
export function findFrameChain(b: Uint8Array, from: number, window: number): number {
  const end = Math.min(b.length - 4, from + window);
  for (let off = from; off <= end; off++) {
    if (b[off] === 0xff && chainAt(b, off, 3)) return off;
  }
  return -1;
}

export interface Mp3Scan {
  sampleRate: number;
  channels: 1 | 2;
  frames: number;
  samples: number; // per channel, over all counted frames
}

/**
 * Walks every frame from the first chain to EOF. Linear in the buffer (each step moves forward), so
 * it is safe on hostile input. Junk between frames is skipped by resyncing; a Xing/Info header frame
 * (silent in gapless decoders) is not counted.
 */
export function scanMp3(b: Uint8Array): Mp3Scan | undefined {
  const start = findFrameChain(b, id3v2Size(b), 64 * 1024);
  if (start < 0) return undefined;
  const first = parseMp3Header(b, start)!;
  let frames = 0;
  let samples = 0;
  let pos = start;
  while (pos + 4 <= b.length) {
    const h = parseMp3Header(b, pos);
    if (!h || h.version !== first.version || h.sampleRate !== first.sampleRate) {
      pos++; // resync byte by byte
      continue;
    }
    if (pos + h.length > b.length) break; // truncated last frame: decoders drop it too
    if (!(pos === start && isInfoFrame(b, pos, h.length))) {
      frames++;
      samples += h.samples;
    }
    pos += h.length;
  }
  return { sampleRate: first.sampleRate, channels: first.channels, frames, samples };
}

function isInfoFrame(b: Uint8Array, off: number, len: number): boolean {
  // The tag sits right after the side info (9..32 bytes in); searching the first 48 bytes covers all.
  const end = Math.min(off + Math.min(len, 48), b.length) - 4;
  for (let i = off + 4; i <= end; i++) {
    const s = String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
    if (s === 'Xing' || s === 'Info') return true;
  }
  return false;
}
