import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { isAppError } from '@ca/shared';
import { decodeAudio, decodeImage } from '../src/index.js';
import { fixture, makeWav, pseudoRandom } from './helpers.js';

/**
 * Deterministic mutation fuzzing: damaged versions of valid files must end in a decoded result or a
 * typed 413/415/422, never a crash, a hang, a plain Error or a console flood.
 */

const ROUNDS = 5;

/** Round r: overwrite ~1% of bytes past the first 16 (keeping the magic), then maybe cut the tail. */
function mutate(src: Uint8Array, r: number): Uint8Array {
  const out = src.slice();
  const rnd = pseudoRandom(out.length * 2 + 8, 1000 + r);
  const flips = Math.max(1, Math.floor(out.length / 100));
  for (let i = 0; i < flips; i++) {
    const pos = 16 + (((rnd[2 * i]! << 8) | rnd[2 * i + 1]!) * 7919 + i * 104729) % Math.max(1, out.length - 16);
    if (pos < out.length) out[pos] = rnd[out.length + i]!;
  }
  return r % 2 ? out.subarray(0, Math.floor(out.length * (0.5 + rnd[0]! / 512))) : out;
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (!isAppError(e)) throw e;
    expect([413, 415, 422]).toContain(e.status);
    return String(e.status);
  }
}

describe('fuzzed inputs', () => {
  const audioLimits = { maxBytes: 5 * 1024 * 1024, maxSeconds: 30 };
  const audio: [string, () => Uint8Array][] = [
    ['mp3', () => fixture('hello.mp3')],
    ['vorbis', () => fixture('hello.ogg')],
    ['opus', () => fixture('hello.opus')],
    ['wav', () => makeWav({ rate: 22050, channels: 2, seconds: 0.5 })],
  ];

  it.each(audio)('%s: only typed outcomes', async (_name, make) => {
    const src = make();
    const errorFn = console.error;
    const lines: unknown[][] = [];
    console.error = (...args: unknown[]) => void lines.push(args);
    try {
      for (let r = 0; r < ROUNDS; r++) {
        const t0 = performance.now();
        await outcome(decodeAudio(mutate(src, r), audioLimits));
        expect(performance.now() - t0).toBeLessThan(3000);
      }
    } finally {
      console.error = errorFn;
    }
    expect(lines).toEqual([]); // decoder noise ("libopus -4 ...") is filtered out
  });

  it('other console.error output still passes through while a decode runs', async () => {
    const errorFn = console.error;
    const lines: unknown[][] = [];
    console.error = (...args: unknown[]) => void lines.push(args);
    try {
      const decoding = decodeAudio(fixture('hello.opus'), audioLimits);
      console.error('app log line', 42);
      await decoding;
    } finally {
      console.error = errorFn;
    }
    expect(lines).toEqual([['app log line', 42]]);
  });

  it('images: only typed outcomes', async () => {
    const base = sharp(Buffer.from(pseudoRandom(48 * 32 * 3, 5)), { raw: { width: 48, height: 32, channels: 3 } });
    const sources = [await base.clone().png().toBuffer(), await base.clone().jpeg().toBuffer(), await base.clone().webp().toBuffer()];
    for (const src of sources) {
      for (let r = 0; r < ROUNDS; r++) {
        await outcome(decodeImage(mutate(new Uint8Array(src), r), { maxBytes: 1 << 20, maxPixels: 1 << 22 }));
      }
    }
  });
});
