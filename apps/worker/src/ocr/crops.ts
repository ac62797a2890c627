import { HALF_NORM, sampleInto } from './image.js';
import type { Point, Quad, RgbImage } from './types.js';

/** A crop as a parallelogram: origin corner plus full-length edge vectors u (text direction) and v (down). */
export interface CropFrame {
  origin: Point;
  u: Point;
  v: Point;
}

const len = (p: Point) => Math.hypot(p.x, p.y);

/**
 * Like Paddle's get_rotate_crop_image: a box much taller than wide is treated as vertical
 * text and turned 90 degrees counter-clockwise (np.rot90) before recognition.
 */
export function frameFromQuad(q: Quad): CropFrame {
  const [tl, tr, , bl] = q;
  const u = { x: tr.x - tl.x, y: tr.y - tl.y };
  const v = { x: bl.x - tl.x, y: bl.y - tl.y };
  if (len(v) >= 1.5 * len(u)) return { origin: tr, u: v, v: { x: -u.x, y: -u.y } };
  return { origin: tl, u, v };
}

/** The same crop turned 180 degrees (start from the opposite corner, walk backwards). */
export function rotate180(f: CropFrame): CropFrame {
  return {
    origin: { x: f.origin.x + f.u.x + f.v.x, y: f.origin.y + f.u.y + f.v.y },
    u: { x: -f.u.x, y: -f.u.y },
    v: { x: -f.v.x, y: -f.v.y },
  };
}

export function aspect(f: CropFrame): number {
  return len(f.u) / Math.max(1, len(f.v));
}

// BGR like Paddle's cv2 pipeline (RGB measured the same; the convention is kept).
const PLANE_NORM = HALF_NORM(true);

/**
 * Writes a crop into batch slot `item` of a [N,3,height,tensorWidth] tensor, resized to
 * `height` keeping aspect (capped at tensorWidth). The remainder stays 0, i.e. the padding
 * Paddle uses after normalisation.
 */
export function writeCrop(img: RgbImage, f: CropFrame, tensor: Float32Array, item: number, height: number, tensorWidth: number): void {
  const outW = Math.max(1, Math.min(tensorWidth, Math.ceil(height * aspect(f))));
  sampleInto(
    img,
    f.origin,
    { x: f.u.x / outW, y: f.u.y / outW },
    { x: f.v.x / height, y: f.v.y / height },
    outW,
    height,
    { data: tensor, offset: item * 3 * height * tensorWidth, width: tensorWidth, height },
    PLANE_NORM,
  );
}
