import type { Point, RgbImage } from './types.js';

/**
 * Per-channel affine normalisation applied while sampling: out = px * scale + bias.
 * Folding mean/std into one multiply-add keeps the inner loop cheap.
 */
export interface Normalization {
  scale: [number, number, number];
  bias: [number, number, number];
  /** Emit planes in B,G,R order (PaddleOCR models were trained on cv2's BGR images). */
  bgr: boolean;
}

export function normalization(mean: readonly number[], std: readonly number[], bgr: boolean): Normalization {
  const s = (i: number) => 1 / (255 * (std[i] ?? 1));
  const b = (i: number) => -(mean[i] ?? 0) / (std[i] ?? 1);
  return { scale: [s(0), s(1), s(2)], bias: [b(0), b(1), b(2)], bgr };
}

/** (x/255 - 0.5) / 0.5, used by the rec and cls models. */
export const HALF_NORM = (bgr: boolean) => normalization([0.5, 0.5, 0.5], [0.5, 0.5, 0.5], bgr);

/** Destination: a region of an NCHW float tensor. */
export interface TensorTarget {
  data: Float32Array;
  /** Offset of this item's first plane (batch index * 3 * planeSize). */
  offset: number;
  /** Width (row stride) and height of one plane of the tensor. */
  width: number;
  height: number;
}

/**
 * Bilinearly samples a parallelogram of the source image into the top-left outW x outH
 * corner of a tensor slot, normalising on the fly. The parallelogram starts at `origin`
 * (continuous pixel-edge coordinates) and advances by `dx` per output column and `dy`
 * per output row, which covers plain resizes, rotated crops and 90/180 degree turns with
 * one loop. Out-of-range samples replicate the border, like cv2.BORDER_REPLICATE.
 */
export function sampleInto(
  img: RgbImage,
  origin: Point,
  dx: Point,
  dy: Point,
  outW: number,
  outH: number,
  dst: TensorTarget,
  norm: Normalization,
): void {
  const { data: src, width: sw, height: sh } = img;
  const plane = dst.width * dst.height;
  // Source channel feeding each output plane.
  const c0 = norm.bgr ? 2 : 0, c1 = 1, c2 = norm.bgr ? 0 : 2;
  // mean/std are indexed by output plane, as in PaddleOCR (which applies them to BGR data).
  const [s0, s1, s2] = norm.scale;
  const [b0, b1, b2] = norm.bias;
  const out = dst.data;
  const maxX = sw - 1;
  const maxY = sh - 1;
  for (let v = 0; v < outH; v++) {
    // Pixel centres: output (u+0.5, v+0.5) -> source, then -0.5 back to index space.
    let sx = origin.x + 0.5 * dx.x + (v + 0.5) * dy.x - 0.5;
    let sy = origin.y + 0.5 * dx.y + (v + 0.5) * dy.y - 0.5;
    let o = dst.offset + v * dst.width;
    for (let u = 0; u < outW; u++, o++, sx += dx.x, sy += dx.y) {
      const cx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      const cy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      const x0 = cx | 0;
      const y0 = cy | 0;
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = cx - x0;
      const fy = cy - y0;
      const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
      const i00 = (y0 * sw + x0) * 3, i01 = (y0 * sw + x1) * 3, i10 = (y1 * sw + x0) * 3, i11 = (y1 * sw + x1) * 3;
      const p0 = src[i00 + c0]! * w00 + src[i01 + c0]! * w01 + src[i10 + c0]! * w10 + src[i11 + c0]! * w11;
      const p1 = src[i00 + c1]! * w00 + src[i01 + c1]! * w01 + src[i10 + c1]! * w10 + src[i11 + c1]! * w11;
      const p2 = src[i00 + c2]! * w00 + src[i01 + c2]! * w01 + src[i10 + c2]! * w10 + src[i11 + c2]! * w11;
      out[o] = p0 * s0 + b0;
      out[o + plane] = p1 * s1 + b1;
      out[o + 2 * plane] = p2 * s2 + b2;
    }
  }
}
