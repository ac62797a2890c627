import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeImage, probeImage } from '../src/index.js';
import { expectAppError, makePixelBombPng, pseudoRandom } from './helpers.js';

const limits = { maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000 };

const solid = (width: number, height: number, channels: 3 | 4, background: string | { r: number; g: number; b: number; alpha: number }) =>
  sharp({ create: { width, height, channels, background } });

/** A noisy image, so compressed data is large and cutting it really loses pixels. */
const noisy = (w: number, h: number) => sharp(Buffer.from(pseudoRandom(w * h * 3)), { raw: { width: w, height: h, channels: 3 } });

const u8 = (b: Buffer) => new Uint8Array(b);
const px = (img: { data: Uint8Array; width: number }, x: number, y: number) => {
  const o = (y * img.width + x) * 3;
  return [...img.data.subarray(o, o + 3)];
};

describe('decodeImage', () => {
  it('decodes JPEG to interleaved RGB with the right size', async () => {
    const jpg = u8(await solid(64, 48, 3, '#ff0000').jpeg().toBuffer());
    const img = await decodeImage(jpg, limits);
    expect([img.width, img.height, img.channels]).toEqual([64, 48, 3]);
    expect(img.data).toBeInstanceOf(Uint8Array);
    expect(img.data.length).toBe(64 * 48 * 3);
    const [r, g, b] = px(img, 10, 10);
    expect(r).toBeGreaterThan(240);
    expect(g! + b!).toBeLessThan(30);
  });

  it('flattens PNG alpha onto white', async () => {
    const png = u8(await solid(10, 10, 4, { r: 0, g: 0, b: 255, alpha: 0 }).png().toBuffer());
    const img = await decodeImage(png, limits);
    expect(img.channels).toBe(3);
    expect(img.data.length).toBe(300);
    expect(px(img, 5, 5)).toEqual([255, 255, 255]);
  });

  it('decodes WebP', async () => {
    const webp = u8(await solid(33, 17, 3, '#00ff00').webp({ lossless: true }).toBuffer());
    const img = await decodeImage(webp, limits);
    expect([img.width, img.height]).toEqual([33, 17]);
    expect(px(img, 1, 1)).toEqual([0, 255, 0]);
  });

  it('turns greyscale and 16-bit PNGs into 8-bit RGB', async () => {
    const grey = u8(await solid(8, 8, 3, '#808080').greyscale().png().toBuffer());
    const deep = u8(await solid(8, 8, 3, '#336699').png().toColourspace('rgb16').toBuffer());
    for (const buf of [grey, deep]) {
      const img = await decodeImage(buf, limits);
      expect(img.data.length).toBe(8 * 8 * 3);
    }
  });

  it('applies EXIF orientation 6 (width and height swap)', async () => {
    const jpg = u8(await solid(40, 20, 3, '#0000ff').jpeg().withMetadata({ orientation: 6 }).toBuffer());
    expect((await sharp(jpg).metadata()).orientation).toBe(6);
    const img = await decodeImage(jpg, limits);
    expect([img.width, img.height]).toEqual([20, 40]);
    const probe = await probeImage(jpg, limits);
    expect([probe.width, probe.height]).toEqual([20, 40]);
  });

  it('resizes to fit inside the box and never enlarges', async () => {
    const big = u8(await solid(400, 300, 3, '#123456').png().toBuffer());
    const fit = await decodeImage(big, { ...limits, resize: { width: 100, height: 100 } });
    expect([fit.width, fit.height]).toEqual([100, 75]);
    expect(fit.data.length).toBe(100 * 75 * 3);
    const small = u8(await solid(50, 40, 3, '#123456').png().toBuffer());
    const same = await decodeImage(small, { ...limits, resize: { width: 100, height: 100 } });
    expect([same.width, same.height]).toEqual([50, 40]);
  });
});

describe('image limits and hostile input', () => {
  it('refuses over-size bytes first (413 image_too_large)', async () => {
    const png = u8(await solid(10, 10, 3, '#000').png().toBuffer());
    const err = await expectAppError(decodeImage(png, { ...limits, maxBytes: 10 }), 413, 'image_too_large');
    expect(err.details).toEqual({ limit_bytes: 10, bytes: png.length });
  });

  it('refuses dimensions over maxPixels (413 image_dimensions_too_large)', async () => {
    const png = u8(await solid(100, 50, 3, '#000').png().toBuffer());
    const err = await expectAppError(probeImage(png, { ...limits, maxPixels: 4999 }), 413, 'image_dimensions_too_large');
    expect(err.details).toEqual({ limit_pixels: 4999, width: 100, height: 50 });
  });

  it('refuses a 20000x20000 pixel bomb fast and without allocating it', async () => {
    const bomb = await makePixelBombPng(20000);
    expect(bomb.length).toBeLessThan(500 * 1024); // a few dozen KB that would decode to 400 MPixel
    await probeImage(u8(await solid(4, 4, 3, '#000').png().toBuffer()), limits); // warm sharp up
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const err = await expectAppError(decodeImage(bomb, limits), 413, 'image_dimensions_too_large');
    const ms = performance.now() - t0;
    expect(err.details).toEqual({ limit_pixels: limits.maxPixels, width: 20000, height: 20000 });
    expect(ms).toBeLessThan(100);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(100 * 1024 * 1024);
  });

  it('answers 415 for text, random bytes, empty input and unaccepted formats', async () => {
    const text = new TextEncoder().encode('this is not a picture, even if it is called photo.png\n');
    const gif = u8(await solid(4, 4, 3, '#000').gif().toBuffer());
    for (const buf of [text, pseudoRandom(4096), new Uint8Array(0), gif]) {
      const err = await expectAppError(decodeImage(buf, limits), 415, 'unsupported_media_type');
      expect(err.details?.accepted).toEqual(['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/heic']);
    }
    const err = await expectAppError(probeImage(gif, limits), 415, 'unsupported_media_type');
    expect(err.details?.detected).toBe('image/gif');
  });

  it('answers 422 for truncated PNG and JPEG', async () => {
    const png = u8(await noisy(64, 64).png().toBuffer());
    const jpg = u8(await noisy(128, 128).jpeg().toBuffer());
    for (const buf of [png, jpg]) {
      const cut = buf.subarray(0, Math.floor(buf.length * 0.6));
      // The header survives, so the cheap probe passes; the decode is what notices.
      await probeImage(cut, limits);
      await expectAppError(decodeImage(cut, limits), 422, 'corrupt_media');
    }
  });

  it('answers 422 when the header itself is broken', async () => {
    const png = u8(await solid(8, 8, 3, '#000').png().toBuffer());
    const broken = png.slice(0, 20); // signature + part of IHDR
    await expectAppError(probeImage(broken, limits), 422, 'corrupt_media');
  });
});
