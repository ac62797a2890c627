import { corruptMedia } from '@ca/shared';

/**
 * FLAC's STREAMINFO (the first metadata block after "fLaC"), read for the probe: rate, channels and
 * the declared length. Only the header: decoding is libFLAC's, in WASM (@wasm-audio-decoders/flac).
 */
export interface FlacInfo {
  sampleRate: number;
  channels: number;
  /** 0 when the encoder did not know (a stream); then the probe cannot tell the duration. */
  totalSamples: number;
}

export function parseFlac(b: Uint8Array): FlacInfo {
  // "fLaC", then a block header (1 byte type, 3 bytes length) whose type must be 0 (STREAMINFO, 34 bytes).
  if (b.length < 42 || (b[4]! & 0x7f) !== 0) throw corruptMedia('FLAC stream info cannot be read');
  const s = 8;
  const sampleRate = (b[s + 10]! << 12) | (b[s + 11]! << 4) | (b[s + 12]! >> 4);
  const channels = ((b[s + 12]! >> 1) & 0x07) + 1;
  // 36 bits: the low 4 bits of byte 13, then bytes 14-17 (kept below 2^53, so plain arithmetic is exact).
  const totalSamples = (b[s + 13]! & 0x0f) * 2 ** 32 + ((b[s + 14]! << 24) >>> 0) + (b[s + 15]! << 16) + (b[s + 16]! << 8) + b[s + 17]!;
  return { sampleRate, channels, totalSamples };
}
