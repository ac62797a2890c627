import { corruptMedia } from '@ca/shared';
import { audioTooLarge, audioTooLong } from './audio-errors.js';
import { decodeCompressed, type Codec } from './compressed.js';
import { decodeWithFfmpeg } from './ffmpeg.js';
import { parseFlac } from './flac.js';
import { scanMp3 } from './mp3-frames.js';
import { completePagesEnd, oggDeclaredSeconds, parseOgg } from './ogg.js';
import { resample } from './resample.js';
import { sniffMedia, type SniffResult } from './sniff.js';
import { MAX_CHANNELS, MAX_RATE, MIN_RATE, parseWav, wavToMono, type WavInfo } from './wav.js';

export interface AudioLimits {
  maxBytes: number;
  maxSeconds: number;
}

export interface DecodeAudioOptions extends AudioLimits {
  /** Output rate; 16 kHz is what Whisper-style ASR models expect. */
  sampleRate?: number;
  /** Kill an external decoder (FFmpeg) after this long (default 20 s). */
  timeoutMs?: number;
}

export interface AudioProbe extends SniffResult {
  /** 'ffmpeg' for the formats FFmpeg decodes (their probe is the magic bytes and the size only). */
  codec: 'pcm' | Codec | 'ffmpeg';
  /** Duration read from headers / frame walk; null when the file does not say (Ogg without granules, FFmpeg's formats). */
  durationS: number | null;
  sampleRate: number | null;
  channels: number | null;
}

export interface DecodedAudio {
  /** Mono, in [-1, 1], at `sampleRate`. */
  samples: Float32Array;
  sampleRate: number;
  durationS: number;
  /** null when the decoder did not say (FFmpeg printed no stream line). */
  sourceSampleRate: number | null;
  channels: number | null;
}

type Inspected = AudioProbe & { wav?: WavInfo };

/**
 * Type, size and duration checks without producing PCM, cheap enough for upload time: WAV from its
 * header, MP3 by walking frame headers, Ogg from the last page's granule position.
 */
export async function probeAudio(buf: Uint8Array, limits: AudioLimits): Promise<AudioProbe> {
  const { wav: _wav, ...probe } = await inspect(buf, limits);
  return probe;
}

export async function decodeAudio(buf: Uint8Array, opts: DecodeAudioOptions): Promise<DecodedAudio> {
  const target = opts.sampleRate ?? 16000;
  const info = await inspect(buf, opts);
  if (info.decoder === 'ffmpeg') {
    // FFmpeg resamples and mixes down itself; its output is already capped at the duration limit.
    const pcm = await decodeWithFfmpeg(buf, info.demuxer!, { maxSeconds: opts.maxSeconds, targetRate: target, timeoutMs: opts.timeoutMs ?? 20_000 });
    const durationS = pcm.samples.length / target;
    if (durationS > opts.maxSeconds) throw audioTooLong(opts.maxSeconds, durationS);
    return { samples: pcm.samples, sampleRate: target, durationS, sourceSampleRate: pcm.sourceRate, channels: pcm.channels };
  }
  let mono: Float32Array;
  let rate: number;
  let channels: number;
  if (info.wav) {
    mono = wavToMono(buf, info.wav);
    rate = info.wav.sampleRate;
    channels = info.wav.channels;
  } else {
    const codec = info.codec as Codec;
    const ogg = codec === 'vorbis' || codec === 'opus';
    const input = ogg ? buf.subarray(0, completePagesEnd(buf)) : buf;
    const pcm = await decodeCompressed(input, codec, { maxSeconds: opts.maxSeconds, targetRate: target });
    mono = pcm.samples;
    rate = pcm.sampleRate;
    // mpg123 always hands back stereo; the frame headers know the truth.
    channels = info.channels ?? pcm.channels;
  }
  const durationS = mono.length / rate;
  if (durationS > opts.maxSeconds) throw audioTooLong(opts.maxSeconds, durationS);
  return { samples: resample(mono, rate, target), sampleRate: target, durationS, sourceSampleRate: rate, channels };
}

async function inspect(buf: Uint8Array, limits: AudioLimits): Promise<Inspected> {
  // Size first: it is free, and nothing below should read an over-limit upload.
  if (buf.length > limits.maxBytes) throw audioTooLarge(limits.maxBytes, buf.length);
  const type = await sniffMedia(buf, 'audio');
  const probed = headerInfo(buf, type);
  if (probed.durationS !== null && probed.durationS > limits.maxSeconds) {
    throw audioTooLong(limits.maxSeconds, probed.durationS);
  }
  return probed;
}

function headerInfo(buf: Uint8Array, type: SniffResult): Inspected {
  if (type.ext === 'wav') {
    const wav = parseWav(buf);
    const { sampleRate, channels } = wav;
    return { ...type, codec: 'pcm', durationS: wav.frames / sampleRate, sampleRate, channels, wav };
  }
  if (type.ext === 'mp3') {
    const scan = scanMp3(buf);
    if (!scan || scan.frames === 0) throw corruptMedia('MP3 has no complete audio frames');
    const { sampleRate, channels } = scan;
    return { ...type, codec: 'mp3', durationS: scan.samples / sampleRate, sampleRate, channels };
  }
  if (type.decoder === 'flac') {
    const flac = parseFlac(buf);
    checkStream('flac', flac.channels, flac.sampleRate);
    // The declared length may lie either way: it refuses early here, and decoding counts the real samples.
    const durationS = flac.totalSamples ? flac.totalSamples / flac.sampleRate : null;
    return { ...type, codec: 'flac', durationS, sampleRate: flac.sampleRate, channels: flac.channels };
  }
  if (type.decoder === 'ffmpeg') return { ...type, codec: 'ffmpeg', durationS: null, sampleRate: null, channels: null };
  // sniffMedia only lets Ogg Vorbis and Ogg Opus through besides the ones above.
  const ogg = parseOgg(buf);
  const codec = type.ext === 'opus' ? 'opus' : 'vorbis';
  if (!ogg || ogg.codec !== codec) throw corruptMedia('Ogg identification header cannot be read', { codec });
  checkStream(codec, ogg.channels, ogg.granuleRate);
  return {
    ...type,
    codec,
    durationS: oggDeclaredSeconds(ogg) ?? null,
    sampleRate: codec === 'vorbis' ? ogg.granuleRate : null, // Opus' input rate is only informative
    channels: ogg.channels,
  };
}

/** A compressed stream's header: channels and rate within what the decoders and resampler take (422). */
function checkStream(codec: string, channels: number, rate: number): void {
  const details = { codec, channels, sample_rate: rate };
  if (channels < 1 || channels > MAX_CHANNELS) throw corruptMedia('Audio channel count is not supported', details);
  if (rate < MIN_RATE || rate > MAX_RATE) throw corruptMedia('Audio sample rate is not supported', details);
}
