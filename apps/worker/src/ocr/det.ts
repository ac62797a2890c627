import { convexHull, minAreaRect, rectToQuad, unclip } from './geometry.js';
import type { RotatedRect } from './geometry.js';
import { normalization, sampleInto } from './image.js';
import type { Point, Quad, RgbImage } from './types.js';

export interface DetInput {
  tensor: Float32Array;
  width: number;
  height: number;
  /** Source pixels per map pixel, per axis (they differ slightly after rounding to 32). */
  scaleX: number;
  scaleY: number;
}

export interface DetParams {
  thresh: number;
  boxThresh: number;
  unclipRatio: number;
  /** PaddleOCR's max_candidates: caps work on pathological (noise) maps. */
  maxCandidates?: number;
}

/**
 * Paddle's det normalisation: ImageNet mean/std applied in that order to cv2's BGR planes.
 * Feeding RGB instead made no measurable difference on our grey or coloured test images;
 * we keep the training-time convention.
 */
export const DET_NORM = normalization([0.485, 0.456, 0.406], [0.229, 0.224, 0.225], true);

/** Same as DetResizeForTest(limit_type='max'): shrink to maxSide, round each side to a multiple of 32. */
export function prepareDet(img: RgbImage, maxSide: number, norm = DET_NORM): DetInput {
  // No upscaling of small images: in our tests it did not help and cost time.
  const ratio = Math.min(1, maxSide / Math.max(img.width, img.height));
  const width = Math.max(32, Math.round((img.width * ratio) / 32) * 32);
  const height = Math.max(32, Math.round((img.height * ratio) / 32) * 32);
  const scaleX = img.width / width;
  const scaleY = img.height / height;
  const tensor = new Float32Array(3 * width * height);
  sampleInto(img, { x: 0, y: 0 }, { x: scaleX, y: 0 }, { x: 0, y: scaleY }, width, height, { data: tensor, offset: 0, width, height }, norm);
  return { tensor, width, height, scaleX, scaleY };
}

/**
 * DB post-processing: binarise the probability map, take 8-connected components, fit a
 * min-area rectangle to each, score it by mean probability inside, grow it back (unclip)
 * and map it to source coordinates.
 */
export function dbBoxes(prob: Float32Array, det: DetInput, p: DetParams): Quad[] {
  const { width: w, height: h } = det;
  const n = w * h;
  const visited = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (prob[i]! <= p.thresh) visited[i] = 1; // background counts as seen
  const stack = new Int32Array(n);
  const members = new Int32Array(n);
  const quads: Quad[] = [];
  const maxCandidates = p.maxCandidates ?? 1000;
  for (let seed = 0; seed < n && quads.length < maxCandidates; seed++) {
    if (visited[seed]) continue;
    // Iterative flood fill, collecting the component's pixel indices.
    let top = 0, count = 0;
    stack[top++] = seed;
    visited[seed] = 1;
    let minY = h, maxY = 0;
    while (top > 0) {
      const idx = stack[--top]!;
      members[count++] = idx;
      const y = (idx / w) | 0;
      const x = idx - y * w;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      for (let ny = y - 1; ny <= y + 1; ny++) {
        if (ny < 0 || ny >= h) continue;
        for (let nx = x - 1; nx <= x + 1; nx++) {
          if (nx < 0 || nx >= w) continue;
          const j = ny * w + nx;
          if (!visited[j]) {
            visited[j] = 1;
            stack[top++] = j;
          }
        }
      }
    }
    if (count < 4) continue;
    const rect = componentRect(members, count, w, minY, maxY);
    if (Math.min(rect.w, rect.h) < 3) continue;
    if (rectScore(prob, w, h, rect) < p.boxThresh) continue;
    const grown = unclip(rect, p.unclipRatio);
    if (Math.min(grown.w, grown.h) < 5) continue;
    quads.push(toSource(rectToQuad(grown), det));
  }
  return quads;
}

/** Hull of a component from its per-row extremes (pixel-edge corners), then min-area rect. */
function componentRect(members: Int32Array, count: number, w: number, minY: number, maxY: number): RotatedRect {
  const rows = maxY - minY + 1;
  const rowMin = new Int32Array(rows).fill(w);
  const rowMax = new Int32Array(rows).fill(-1);
  for (let k = 0; k < count; k++) {
    const idx = members[k]!;
    const y = (idx / w) | 0;
    const x = idx - y * w;
    const r = y - minY;
    if (x < rowMin[r]!) rowMin[r] = x;
    if (x > rowMax[r]!) rowMax[r] = x;
  }
  const pts: Point[] = [];
  for (let r = 0; r < rows; r++) {
    if (rowMax[r]! < 0) continue;
    const y = minY + r;
    const l = rowMin[r]!, rt = rowMax[r]! + 1;
    pts.push({ x: l, y }, { x: l, y: y + 1 }, { x: rt, y }, { x: rt, y: y + 1 });
  }
  return minAreaRect(convexHull(pts));
}

/** Mean probability of map pixels whose centres fall inside the rectangle (Paddle's "fast" box score). */
function rectScore(prob: Float32Array, w: number, h: number, r: RotatedRect): number {
  const ex = (Math.abs(r.ux) * r.w + Math.abs(r.uy) * r.h) / 2;
  const ey = (Math.abs(r.uy) * r.w + Math.abs(r.ux) * r.h) / 2;
  const x0 = Math.max(0, Math.floor(r.cx - ex)), x1 = Math.min(w - 1, Math.ceil(r.cx + ex));
  const y0 = Math.max(0, Math.floor(r.cy - ey)), y1 = Math.min(h - 1, Math.ceil(r.cy + ey));
  const hw = r.w / 2 + 1e-6, hh = r.h / 2 + 1e-6;
  let sum = 0, cnt = 0;
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - r.cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - r.cx;
      if (Math.abs(dx * r.ux + dy * r.uy) > hw || Math.abs(-dx * r.uy + dy * r.ux) > hh) continue;
      sum += prob[y * w + x]!;
      cnt++;
    }
  }
  return cnt ? sum / cnt : 0;
}

function toSource(q: Quad, det: DetInput): Quad {
  return q.map((pt) => ({ x: pt.x * det.scaleX, y: pt.y * det.scaleY })) as Quad;
}
