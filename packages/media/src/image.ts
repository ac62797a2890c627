import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { AppError, corruptMedia, tooLarge } from '@ca/shared';
import { decodeHeic } from './heic.js';
import { sniffMedia, type SniffResult } from './sniff.js';

export interface ImageLimits {
  maxBytes: number;
  /** width x height as stored (before EXIF rotation, which does not change the product). */
  maxPixels: number;
}

export interface DecodeImageOptions extends ImageLimits {
  /** Fit inside this box keeping aspect ratio; never enlarges. */
  resize?: { width: number; height: number } | undefined;
}

export interface ImageProbe extends SniffResult {
  /** Display dimensions, EXIF orientation applied. */
  width: number;
  height: number;
}

/**
 * Interleaved 8-bit RGB, row-major. Exactly what transformers.js wants:
 * `new RawImage(img.data, img.width, img.height, img.channels)`.
 */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

/**
 * Type + size + dimension checks from the header only; no pixel is decoded, so it is cheap enough for
 * the API to run at upload time. A file whose header is fine but whose pixel data is broken passes
 * here and is refused by decodeImage (422) in the worker.
 */
export async function probeImage(buf: Uint8Array, limits: ImageLimits): Promise<ImageProbe> {
  checkBytes(buf, limits.maxBytes);
  const type = await sniffMedia(buf, 'image');
  let meta: Metadata;
  try {
    // metadata() parses headers only; it never allocates the pixel buffer.
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw corruptMedia('Image header cannot be read', { format: type.ext, reason: errorText(e) });
  }
  const { width, height } = meta;
  if (!width || !height) throw corruptMedia('Image has no dimensions', { format: type.ext });
  if (width * height > limits.maxPixels) throw overPixels(limits.maxPixels, { width, height });
  return { ...type, width: meta.autoOrient.width, height: meta.autoOrient.height };
}

export async function decodeImage(buf: Uint8Array, opts: DecodeImageOptions): Promise<DecodedImage> {
  const probe = await probeImage(buf, opts);
  let pipeline = (await source(buf, probe, opts.maxPixels))
    .flatten({ background: '#ffffff' }) // alpha composited on white, then dropped
    .toColourspace('srgb'); // grey, CMYK and 16-bit inputs all come out as 8-bit sRGB
  if (opts.resize) {
    pipeline = pipeline.resize({
      width: opts.resize.width,
      height: opts.resize.height,
      fit: 'inside',
      withoutEnlargement: true,
    });
  }
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    const text = errorText(e);
    if (/pixel limit/i.test(text)) throw overPixels(opts.maxPixels, {});
    throw corruptMedia('Image data is corrupt or truncated', { reason: text });
  }
  const { width, height, channels } = out.info;
  if (channels !== 3 || out.data.length !== width * height * 3) {
    throw new AppError(500, 'image_decode_failed', 'Unexpected decoder output', { details: { channels } });
  }
  // A plain Uint8Array view (no copy): callers should not depend on Buffer's extra methods.
  return { data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), width, height, channels: 3 };
}

/** A sharp pipeline over the file, or over the RGBA pixels of a format sharp cannot decode itself (HEIC). */
async function source(buf: Uint8Array, probe: ImageProbe, maxPixels: number): Promise<Sharp> {
  if (probe.decoder === 'heic') {
    const px = await decodeHeic(buf, maxPixels, (width, height) => overPixels(maxPixels, { width, height }));
    return sharp(px.data, { raw: { width: px.width, height: px.height, channels: 4 } });
  }
  return sharp(buf, {
    // Second guard after our header check, in case libvips sees other dimensions than metadata did.
    limitInputPixels: maxPixels,
    // 'warning' is sharp's advice for untrusted input: truncated or damaged data is an error.
    failOn: 'warning',
    autoOrient: true,
  });
}

const overPixels = (limit: number, seen: { width?: number; height?: number }) =>
  tooLarge('image_dimensions_too_large', 'Image dimensions are over the limit', { limit_pixels: limit, ...seen });

function checkBytes(buf: Uint8Array, maxBytes: number): void {
  if (buf.length > maxBytes) {
    throw tooLarge('image_too_large', 'Image is over the size limit', { limit_bytes: maxBytes, bytes: buf.length });
  }
}

/** libvips messages name the problem, never carry pixel bytes; cap the length anyway. */
function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}
