import { describe, expect, it } from 'vitest';
import { ACCEPTED, decodeAudio, probeAudio, sniffMedia } from '../src/index.js';
import { expectAppError, fixture, pseudoRandom, rms, zeroCrossings } from './helpers.js';

/** Fixture facts: see fixtures/README.md. The speech clip is 47737 samples at 22050 Hz. */
const SPEECH_S = 47737 / 22050;
const limits = { maxBytes: 10 * 1024 * 1024, maxSeconds: 60 };

describe('compressed audio fixtures', () => {
  // MP3 carries encoder delay/padding that is not always trimmed: allow two frames of slack.
  it.each([
    { file: 'hello.mp3', mime: 'audio/mpeg', rate: 22050, tol: 0.08 },
    { file: 'hello.ogg', mime: 'audio/ogg', rate: 22050, tol: 0.01 },
    { file: 'hello.opus', mime: 'audio/ogg; codecs=opus', rate: 16000, tol: 0.01 },
  ])('$file decodes to 16 kHz mono of the right length', async ({ file, mime, rate, tol }) => {
    const buf = fixture(file);
    const probe = await probeAudio(buf, limits);
    expect(probe.mime).toBe(mime);
    expect(Math.abs(probe.durationS! - SPEECH_S)).toBeLessThan(tol);
    const a = await decodeAudio(buf, limits);
    expect(a).toMatchObject({ sampleRate: 16000, sourceSampleRate: rate, channels: 1 });
    expect(Math.abs(a.durationS - SPEECH_S)).toBeLessThan(tol);
    expect(Math.abs(a.samples.length - a.durationS * 16000)).toBeLessThan(16000 * a.durationS * 0.01);
    expect(rms(a.samples)).toBeGreaterThan(0.01); // speech, not silence
    for (const v of a.samples) if (!(v >= -1 && v <= 1)) throw new Error(`sample out of range: ${v}`);
  });

  it('stereo MP3 sine keeps its pitch and reports 2 source channels', async () => {
    const a = await decodeAudio(fixture('sine440-stereo.mp3'), limits);
    expect(a).toMatchObject({ sampleRate: 16000, sourceSampleRate: 24000, channels: 2 });
    expect(Math.abs(a.durationS - 1.5)).toBeLessThan(0.08);
    const expected = 2 * 440 * a.durationS;
    expect(Math.abs(zeroCrossings(a.samples) - expected)).toBeLessThan(expected * 0.03);
  });

  it('accepts an MP3 without ID3 that starts after a few junk bytes', async () => {
    const mp3 = fixture('hello.mp3');
    const padded = new Uint8Array(100 + mp3.length);
    padded.set(mp3, 100);
    expect(await sniffMedia(padded, 'audio')).toEqual({ kind: 'audio', mime: 'audio/mpeg', ext: 'mp3', decoder: 'mp3' });
    const a = await decodeAudio(padded, limits);
    expect(Math.abs(a.durationS - SPEECH_S)).toBeLessThan(0.08);
  });
});

describe('compressed audio limits and hostile input', () => {
  it('an over-long MP3 is refused from its frame headers, before decoding', async () => {
    const err = await expectAppError(probeAudio(fixture('hello.mp3'), { ...limits, maxSeconds: 1 }), 413, 'audio_too_long');
    expect(err.details?.limit_seconds).toBe(1);
    expect(err.details?.seconds).toBeGreaterThan(2);
  });

  it('an Ogg file whose granule positions lie is still stopped while decoding', async () => {
    const opus = fixture('hello.opus').slice();
    zeroGranules(opus);
    const probe = await probeAudio(opus, { ...limits, maxSeconds: 1 }); // the header claims ~0 s
    expect(probe.durationS).toBeLessThan(1);
    const err = await expectAppError(decodeAudio(opus, { ...limits, maxSeconds: 1 }), 413, 'audio_too_long');
    expect(err.details?.limit_seconds).toBe(1);
  });

  it('an Opus packet bomb (2-byte packets of 120 ms, lying granules) is stopped at the limit', async () => {
    const bomb = opusBomb(fixture('hello.opus'), 300); // ~240 KB declaring ~0 s, holding ~9000 s
    expect((await probeAudio(bomb, limits)).durationS).toBeLessThan(1);
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const err = await expectAppError(decodeAudio(bomb, { ...limits, maxSeconds: 30 }), 413, 'audio_too_long');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(err.details?.seconds).toBeLessThan(60); // stopped soon after the limit, not at the end
    expect(process.memoryUsage().rss - rss0).toBeLessThan(100 * 1024 * 1024);
  });

  it('a truncated MP3 decodes to the complete frames that are there (shorter audio)', async () => {
    const mp3 = fixture('hello.mp3');
    const a = await decodeAudio(mp3.subarray(0, Math.floor(mp3.length * 0.4)), limits);
    expect(a.durationS).toBeGreaterThan(0.6);
    expect(a.durationS).toBeLessThan(1.1);
  });

  it('truncated Ogg Vorbis / Opus decode to the complete pages that are there', async () => {
    for (const file of ['hello.ogg', 'hello.opus']) {
      const buf = fixture(file);
      const a = await decodeAudio(buf.subarray(0, Math.floor(buf.length * 0.8)), limits);
      expect(a.durationS).toBeGreaterThan(0.5);
      expect(a.durationS).toBeLessThan(SPEECH_S - 0.3);
      // Cut inside the header pages: nothing decodable at all.
      await expectAppError(decodeAudio(buf.subarray(0, Math.floor(buf.length * 0.3)), limits), 422, 'corrupt_media');
    }
  });

  it('422 when the container is right but the content is junk', async () => {
    const id3 = Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 10, ...new Uint8Array(10)]);
    const id3ThenJunk = concat(id3, pseudoRandom(20000, 7));
    const ogg = fixture('hello.ogg');
    const oggJunk = concat(ogg.subarray(0, 58), pseudoRandom(ogg.length - 58, 9)); // first page intact
    for (const buf of [id3ThenJunk, oggJunk]) await expectAppError(decodeAudio(buf, limits), 422, 'corrupt_media');
  });

  it('valid MP3 frame headers around random payloads: no crash, no hang, no log flood', async () => {
    const header = [0xff, 0xfb, 0x90, 0x64]; // MPEG-1 Layer III, 128 kbps, 44.1 kHz: 417-byte frames
    const frames = Array.from({ length: 60 }, (_, i) => concat(Uint8Array.from(header), pseudoRandom(413, i + 1)));
    const buf = concat(...frames);
    const errorFn = console.error;
    const t0 = performance.now();
    const result = await decodeAudio(buf, limits).then(
      (a) => a.durationS,
      (e: unknown) => e,
    );
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(console.error).toBe(errorFn); // our temporary silencing was undone
    if (typeof result !== 'number') expect(result).toMatchObject({ status: 422, code: 'corrupt_media' });
  });

  it('415 for empty input, random bytes, text, images, and a stray frame sync; 422 for a FLAC header of zeros', async () => {
    const flac = concat(new TextEncoder().encode('fLaC'), new Uint8Array(60));
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, ...new Uint8Array(17)]);
    const strayFrameSync = concat(Uint8Array.from([0xff, 0xfb, 0x90, 0x64]), pseudoRandom(3000, 3));
    const cases: [Uint8Array, string | null][] = [
      [new Uint8Array(0), null],
      [pseudoRandom(8192, 42), null],
      [new TextEncoder().encode('RIFF? no, just text pretending to be audio.wav'), null],
      [png, 'image/png'],
      [strayFrameSync, null],
    ];
    for (const [buf, detected] of cases) {
      const err = await expectAppError(decodeAudio(buf, limits), 415, 'unsupported_media_type');
      expect(err.details).toEqual({ detected, accepted: [...ACCEPTED.audio] });
    }
    await expectAppError(decodeAudio(flac, limits), 422, 'corrupt_media');
  });
});

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Sets every Ogg page's granule position to 0 (page CRCs go stale; the decoders do not check them). */
function zeroGranules(b: Uint8Array): void {
  for (let o = 0; o + 27 <= b.length; ) {
    if (String.fromCharCode(...b.subarray(o, o + 4)) !== 'OggS') throw new Error('not at a page');
    const nseg = b[o + 26]!;
    let body = 0;
    for (let i = 0; i < nseg; i++) body += b[o + 27 + i]!;
    b.fill(0, o + 6, o + 14);
    o += 27 + nseg + body;
  }
}

/**
 * Keeps the two header pages of a real Opus file, then appends `pages` pages of 255 two-byte packets
 * (TOC: CELT 20 ms, code 3; count byte: 6 frames of 0 bytes = 120 ms of output each). Granule
 * positions stay tiny, so the headers claim almost no audio.
 */
function opusBomb(opus: Uint8Array, pages: number): Uint8Array {
  let headEnd = 0;
  for (let k = 0; k < 2; k++) {
    const nseg = opus[headEnd + 26]!;
    let body = 0;
    for (let i = 0; i < nseg; i++) body += opus[headEnd + 27 + i]!;
    headEnd += 27 + nseg + body;
  }
  const page = new Uint8Array(27 + 255 + 255 * 2);
  page.set(opus.subarray(0, 27)); // "OggS", version, serial number
  page[5] = 0; // not a beginning-of-stream page
  page[26] = 255;
  page.fill(2, 27, 27 + 255);
  for (let k = 0; k < 255; k++) page.set([0xfb, 6], 27 + 255 + 2 * k);
  const out = new Uint8Array(headEnd + pages * page.length);
  out.set(opus.subarray(0, headEnd));
  for (let i = 0; i < pages; i++) {
    const dv = new DataView(page.buffer);
    dv.setUint32(6, i, true); // granule (low word); high word copied from a header page is 0
    dv.setUint32(18, i + 2, true); // page sequence number
    out.set(page, headEnd + i * page.length);
  }
  return out;
}
