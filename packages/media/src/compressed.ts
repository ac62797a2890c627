import { corruptMedia, isAppError } from '@ca/shared';
import { audioTooLong } from './audio-errors.js';
import { clampInPlace } from './pcm.js';
import { withQuietDecoders } from './quiet.js';
import { MAX_CHANNELS, MAX_RATE, MIN_RATE } from './wav.js';

/**
 * Drives the WASM decoders (mpg123, libvorbis, libopus, libFLAC) over the input in small slices and mixes each
 * slice to mono at once. Why slices: compressed audio can expand enormously (an Opus packet of one or
 * two bytes is up to 120 ms of PCM), and a file's headers can lie about its length. Decoding a slice at
 * a time bounds what one call can produce, and the running sample count lets us stop the moment the
 * real audio passes the duration limit instead of after materialising all of it.
 */

export type Codec = 'mp3' | 'vorbis' | 'opus' | 'flac';

export interface MonoPcm {
  samples: Float32Array;
  sampleRate: number;
  channels: number;
}

interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: unknown[];
}

interface Decoder {
  ready: Promise<void>;
  decode(chunk: Uint8Array): Decoded | Promise<Decoded>;
  flush?: () => Promise<Decoded>;
  free(): void;
}

/**
 * Input bytes per decode call. MP3 frames expand at most ~64x. In Ogg a packet costs ~2 bytes and can
 * yield up to 4096 (Vorbis) or 1920 (Opus at 16 kHz) samples per channel, for <= 8 channels (checked
 * at probe time), so 2 KB bounds one call's output to roughly 60-130 MB even for a crafted file; a
 * FLAC frame of constant subframes costs ~30 bytes for up to 65,535 samples on 8 channels (~140 MB);
 * smaller slices would bound it further but make ordinary files decode markedly slower.
 */
const SLICE: Record<Codec, number> = { mp3: 16 * 1024, vorbis: 2 * 1024, opus: 2 * 1024, flac: 2 * 1024 };
/** Opus decodes natively at these rates, which saves resampling when the target is one of them. */
const OPUS_RATES = [8000, 12000, 16000, 24000, 48000];

/** Decoders are imported on first use: a process that only handles images never loads their WASM. */
async function createDecoder(codec: Codec, targetRate: number): Promise<Decoder> {
  if (codec === 'mp3') return new (await import('mpg123-decoder')).MPEGDecoder();
  if (codec === 'vorbis') return new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder();
  if (codec === 'flac') return new (await import('@wasm-audio-decoders/flac')).FLACDecoder();
  const { OggOpusDecoder } = await import('ogg-opus-decoder');
  // `sampleRate` is supported by ogg-opus-decoder but missing from its type declarations.
  const opts = { sampleRate: OPUS_RATES.includes(targetRate) ? targetRate : 48000 };
  return new OggOpusDecoder(opts as ConstructorParameters<typeof OggOpusDecoder>[0]);
}

export function decodeCompressed(
  buf: Uint8Array,
  codec: Codec,
  opts: { maxSeconds: number; targetRate: number },
): Promise<MonoPcm> {
  return withQuietDecoders(() => decodeLoop(buf, codec, opts));
}

async function decodeLoop(buf: Uint8Array, codec: Codec, opts: { maxSeconds: number; targetRate: number }): Promise<MonoPcm> {
  const decoder = await createDecoder(codec, opts.targetRate);
  await decoder.ready;
  const parts: Float32Array[] = [];
  let total = 0;
  let rate = 0;
  let channels = 0;
  let errors = 0;
  const take = (r: Decoded) => {
    errors += r.errors.length;
    const got = mixDown(r);
    if (!got) return;
    if (rate === 0) {
      if (r.sampleRate < MIN_RATE || r.sampleRate > MAX_RATE) {
        throw corruptMedia('Audio sample rate is not supported', { sample_rate: r.sampleRate });
      }
      rate = r.sampleRate;
    } else if (r.sampleRate !== rate) {
      // Real files keep one rate; a change mid-stream is junk that resynced as a different frame type.
      throw corruptMedia('Audio sample rate changes mid-stream', { sample_rate: rate, later_rate: r.sampleRate });
    }
    channels = Math.max(channels, r.channelData.length);
    parts.push(got);
    total += got.length;
    if (total > opts.maxSeconds * rate) throw audioTooLong(opts.maxSeconds, total / rate);
  };
  try {
    for (let off = 0; off < buf.length; off += SLICE[codec]) {
      take(await decoder.decode(buf.subarray(off, off + SLICE[codec])));
    }
    if (decoder.flush) take(await decoder.flush());
  } catch (e) {
    if (isAppError(e)) throw e;
    throw corruptMedia('Audio data cannot be decoded', { codec, reason: String(e).slice(0, 200) });
  } finally {
    decoder.free();
  }
  if (total === 0) throw corruptMedia('Audio has no decodable samples', { codec, decode_errors: errors });
  return { samples: concat(parts, total), sampleRate: rate, channels };
}

/** Average of the channels, or undefined for an empty result. Ignores a decoder's claimed count. */
function mixDown(r: Decoded): Float32Array | undefined {
  const ch = r.channelData;
  // Before any header has been parsed the Vorbis decoder returns zero samples with a meaningless
  // channel count, so emptiness is checked first.
  if (r.samplesDecoded <= 0 || ch.length === 0) return undefined;
  if (ch.length > MAX_CHANNELS) throw corruptMedia('Audio channel count is not supported', { channels: ch.length });
  // Channels should be equally long; take the shortest so a malformed result cannot read past one.
  let n = Infinity;
  for (const c of ch) n = Math.min(n, c.length);
  if (n === 0 || !Number.isFinite(n)) return undefined;
  const out = new Float32Array(n);
  const scale = 1 / ch.length;
  for (const c of ch) for (let i = 0; i < n; i++) out[i]! += c[i]! * scale;
  return clampInPlace(out);
}

function concat(parts: Float32Array[], total: number): Float32Array {
  const out = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
