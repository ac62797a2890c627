import { describe, expect, it } from 'vitest';
import { decodeAudio, probeAudio, resample } from '../src/index.js';
import { expectAppError, makeWav, rms, sine, zeroCrossings } from './helpers.js';

const limits = { maxBytes: 50 * 1024 * 1024, maxSeconds: 60 };

describe('WAV decoding', () => {
  it('16-bit 44.1 kHz stereo sine -> 16 kHz mono, length and pitch kept', async () => {
    const wav = makeWav({ rate: 44100, channels: 2, seconds: 2, signal: sine(440) });
    const a = await decodeAudio(wav, limits);
    expect(a).toMatchObject({ sampleRate: 16000, sourceSampleRate: 44100, channels: 2 });
    expect(a.samples).toBeInstanceOf(Float32Array);
    expect(Math.abs(a.durationS - 2) / 2).toBeLessThan(0.01);
    expect(Math.abs(a.samples.length - 32000) / 32000).toBeLessThan(0.01);
    // 440 Hz for 2 s has 1760 sign changes; resampling must not move the pitch.
    expect(Math.abs(zeroCrossings(a.samples) - 1760)).toBeLessThan(1760 * 0.01);
    expect(rms(a.samples, 1000, 31000)).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });

  it('8 kHz mono is upsampled to 16 kHz', async () => {
    const wav = makeWav({ rate: 8000, channels: 1, seconds: 1.5, signal: sine(300) });
    const a = await decodeAudio(wav, limits);
    expect(a).toMatchObject({ sampleRate: 16000, sourceSampleRate: 8000, channels: 1 });
    expect(Math.abs(a.samples.length - 24000)).toBeLessThan(240);
    expect(Math.abs(zeroCrossings(a.samples) - 900)).toBeLessThan(9);
  });

  it.each([
    { format: 'float', bits: 32, rate: 48000 },
    { format: 'float', bits: 64, rate: 22050 },
    { format: 'int', bits: 8, rate: 11025 },
    { format: 'int', bits: 24, rate: 96000 },
    { format: 'int', bits: 32, rate: 16000 },
  ] as const)('$format $bits-bit at $rate Hz', async ({ format, bits, rate }) => {
    const wav = makeWav({ rate, channels: 1, seconds: 1, format, bits, signal: sine(250) });
    const a = await decodeAudio(wav, limits);
    expect(a.sourceSampleRate).toBe(rate);
    expect(Math.abs(a.durationS - 1)).toBeLessThan(0.01);
    expect(Math.abs(a.samples.length - 16000)).toBeLessThan(160);
    expect(Math.abs(zeroCrossings(a.samples) - 500)).toBeLessThan(6);
  });

  it('downmixes stereo by averaging: opposite channels cancel', async () => {
    const wav = makeWav({ rate: 16000, channels: 2, seconds: 0.5, signal: (t, c) => (c ? -1 : 1) * sine(200)(t) });
    const a = await decodeAudio(wav, limits);
    expect(rms(a.samples)).toBeLessThan(1e-3);
  });

  it('low-passes before decimating: a 10 kHz tone does not alias into the 16 kHz output', async () => {
    const wav = makeWav({ rate: 44100, channels: 1, seconds: 1, signal: sine(10000) });
    const a = await decodeAudio(wav, limits);
    expect(rms(a.samples, 500, 15500)).toBeLessThan(0.01); // would be ~0.35 if it folded to 6 kHz
  });

  it('reads extensible fmt, skips unknown and odd-sized chunks', async () => {
    const list = { id: 'LIST', body: new TextEncoder().encode('INFOodd') }; // 7 bytes + pad byte
    const wav = makeWav({ rate: 22050, channels: 2, seconds: 1, extensible: true, extraChunks: [list, { id: 'junk', body: new Uint8Array(3) }] });
    const a = await decodeAudio(wav, limits);
    expect(Math.abs(a.durationS - 1)).toBeLessThan(0.001);
  });

  it('probeAudio reports header facts without decoding', async () => {
    const wav = makeWav({ rate: 44100, channels: 2, seconds: 3 });
    const p = await probeAudio(wav, limits);
    expect(p).toMatchObject({ kind: 'audio', mime: 'audio/wav', ext: 'wav', codec: 'pcm', sampleRate: 44100, channels: 2 });
    expect(p.durationS).toBeCloseTo(3, 5);
  });
});

describe('WAV limits and hostile input', () => {
  it('refuses too long audio from the header (413 audio_too_long)', async () => {
    const wav = makeWav({ rate: 8000, channels: 1, seconds: 5 });
    const err = await expectAppError(probeAudio(wav, { ...limits, maxSeconds: 2 }), 413, 'audio_too_long');
    expect(err.details).toEqual({ limit_seconds: 2, seconds: 5 });
    await expectAppError(decodeAudio(wav, { ...limits, maxSeconds: 2 }), 413, 'audio_too_long');
  });

  it('refuses too many bytes before anything else (413 audio_too_large)', async () => {
    const wav = makeWav({ rate: 8000, channels: 1, seconds: 1 });
    const err = await expectAppError(decodeAudio(wav, { ...limits, maxBytes: 1000 }), 413, 'audio_too_large');
    expect(err.details).toEqual({ limit_bytes: 1000, bytes: wav.length });
  });

  it('a data chunk declaring far more bytes than present is corrupt (422), nothing allocated', async () => {
    const wav = makeWav({ rate: 8000, channels: 1, seconds: 0.1, declaredDataSize: 0x7ffffff0 });
    const rss0 = process.memoryUsage().rss;
    const err = await expectAppError(decodeAudio(wav, limits), 422, 'corrupt_media');
    expect(err.details).toEqual({ declared_bytes: 0x7ffffff0, available_bytes: 1600 });
    expect(process.memoryUsage().rss - rss0).toBeLessThan(50 * 1024 * 1024);
  });

  it('the streaming placeholder size 0xFFFFFFFF means "to the end of the file"', async () => {
    const wav = makeWav({ rate: 8000, channels: 1, seconds: 0.5, declaredDataSize: 0xffffffff });
    const a = await decodeAudio(wav, limits);
    expect(a.durationS).toBeCloseTo(0.5, 5);
  });

  it('422 for no samples, no data chunk, unsupported sample formats and silly headers', async () => {
    const empty = makeWav({ rate: 8000, channels: 1, seconds: 0 });
    const headerOnly = empty.subarray(0, 36); // RIFF + fmt, no data chunk
    const twelveBit = makeWav({ rate: 8000, channels: 1, seconds: 0.1 });
    new DataView(twelveBit.buffer).setUint16(34, 12, true);
    const noChannels = makeWav({ rate: 8000, channels: 1, seconds: 0.1 });
    new DataView(noChannels.buffer).setUint16(22, 0, true);
    const hugeRate = makeWav({ rate: 8000, channels: 1, seconds: 0.1 });
    new DataView(hugeRate.buffer).setUint32(24, 4_000_000_000, true);
    for (const wav of [empty, headerOnly, twelveBit, noChannels, hugeRate]) {
      await expectAppError(decodeAudio(wav, limits), 422, 'corrupt_media');
    }
  });

  it('float WAV with NaN/Inf/out-of-range samples comes out clamped to [-1, 1]', async () => {
    const vals = [NaN, Infinity, -Infinity, 7, -7, 0.25];
    const wav = makeWav({ rate: 16000, channels: 1, seconds: 0.1, format: 'float', signal: (t) => vals[Math.floor(t * 16000) % 6]! });
    // makeWav clamps, so write the hostile values in by hand.
    const dv = new DataView(wav.buffer);
    for (let i = 0; i < 1600; i++) dv.setFloat32(44 + i * 4, vals[i % 6]!, true);
    const a = await decodeAudio(wav, limits);
    for (const v of a.samples) expect(Number.isFinite(v) && v >= -1 && v <= 1).toBe(true);
  });
});

describe('resample', () => {
  it('keeps a constant signal constant and returns the input when rates match', () => {
    const x = new Float32Array(4410).fill(0.5);
    const y = resample(x, 44100, 16000);
    expect(y.length).toBe(1600);
    expect(y[800]).toBeCloseTo(0.5, 4);
    expect(resample(x, 16000, 16000)).toBe(x);
  });

  it('is fast enough: 30 s of 44.1 kHz audio (60 taps per output) in under 1.5 s', () => {
    const x = new Float32Array(44100 * 30).map((_, i) => Math.sin(i / 10));
    const t0 = performance.now();
    const y = resample(x, 44100, 16000);
    expect(y.length).toBe(16000 * 30);
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});
