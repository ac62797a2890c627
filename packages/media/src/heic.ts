import { corruptMedia } from '@ca/shared';

/**
 * HEIC/HEIF pixels (the iPhone camera's default). sharp's prebuilt libvips reads HEIF containers but
 * ships no HEVC decoder (it decodes AVIF only), so the pixels come from libheif with libde265, compiled
 * to WebAssembly (heic-decode / libheif-js). The container is parsed first and the image's size checked
 * against the pixel limit before any pixel is decoded; libheif applies the rotation and mirroring the
 * file asks for, so the result is upright.
 */
export interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
}

export async function decodeHeic(buf: Uint8Array, maxPixels: number, onTooLarge: (w: number, h: number) => Error): Promise<Rgba> {
  const { default: decode } = await import('heic-decode');
  let images: Awaited<ReturnType<typeof decode.all>>;
  try {
    images = await decode.all({ buffer: buf });
  } catch (e) {
    throw corruptMedia('HEIC container cannot be read', { format: 'heic', reason: String(e).slice(0, 200) });
  }
  try {
    const first = images[0]!;
    if (first.width * first.height > maxPixels) throw onTooLarge(first.width, first.height);
    let out: { data: Uint8ClampedArray; width: number; height: number };
    try {
      out = await first.decode();
    } catch (e) {
      throw corruptMedia('HEIC image data is corrupt or truncated', { format: 'heic', reason: String(e).slice(0, 200) });
    }
    return { data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), width: out.width, height: out.height };
  } finally {
    images.dispose();
  }
}
