import type { Point, Quad } from './types.js';

/** A rotated rectangle: centre, unit axes (u roughly left-to-right, v = u turned 90 degrees clockwise) and side lengths. */
export interface RotatedRect {
  cx: number;
  cy: number;
  ux: number;
  uy: number;
  w: number;
  h: number;
}

const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);

/** Andrew's monotone chain; returns the hull counter-clockwise without collinear points. */
export function convexHull(points: Point[]): Point[] {
  if (points.length < 3) return points.slice();
  const pts = points.slice().sort((a, b) => a.x - b.x || a.y - b.y);
  const lower: Point[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/**
 * Minimum-area enclosing rectangle (the optimum has a side on a hull edge, so trying
 * every edge direction is exact). Equivalent to cv2.minAreaRect on the hull.
 */
export function minAreaRect(hull: Point[]): RotatedRect {
  let best: RotatedRect | undefined;
  let bestArea = Infinity;
  const n = hull.length;
  for (let i = 0; i < n; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % n]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len === 0) continue;
    const ux = (b.x - a.x) / len;
    const uy = (b.y - a.y) / len;
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
    for (const p of hull) {
      const pu = p.x * ux + p.y * uy;
      const pv = -p.x * uy + p.y * ux;
      if (pu < minU) minU = pu;
      if (pu > maxU) maxU = pu;
      if (pv < minV) minV = pv;
      if (pv > maxV) maxV = pv;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const mu = (minU + maxU) / 2;
      const mv = (minV + maxV) / 2;
      best = { cx: mu * ux - mv * uy, cy: mu * uy + mv * ux, ux, uy, w: maxU - minU, h: maxV - minV };
    }
  }
  if (!best) {
    const p = hull[0] ?? { x: 0, y: 0 };
    return { cx: p.x, cy: p.y, ux: 1, uy: 0, w: 0, h: 0 };
  }
  return canonical(best);
}

/**
 * Picks the axis closest to horizontal as u (pointing right), so the quad's "top-left"
 * is stable and crops come out upright for near-horizontal text.
 */
function canonical(r: RotatedRect): RotatedRect {
  let { ux, uy, w, h } = r;
  if (Math.abs(ux) < Math.abs(uy)) {
    // Swap axes: the other axis is v = (-uy, ux); use it (or its negation) as u.
    [ux, uy] = [-uy, ux];
    [w, h] = [h, w];
  }
  if (ux < 0) {
    ux = -ux;
    uy = -uy;
  }
  return { cx: r.cx, cy: r.cy, ux, uy, w, h };
}

/**
 * DB predicts shrunk text kernels; Paddle grows the polygon by area * ratio / perimeter
 * (pyclipper offset). For a rectangle that offset adds the distance on every side.
 */
export function unclip(r: RotatedRect, ratio: number): RotatedRect {
  const perimeter = 2 * (r.w + r.h);
  if (perimeter === 0) return r;
  const d = (r.w * r.h * ratio) / perimeter;
  return { ...r, w: r.w + 2 * d, h: r.h + 2 * d };
}

export function rectToQuad(r: RotatedRect): Quad {
  // v = u rotated clockwise in image coordinates (y down), i.e. pointing "down".
  const vx = -r.uy;
  const vy = r.ux;
  const hw = r.w / 2;
  const hh = r.h / 2;
  const at = (su: number, sv: number): Point => ({
    x: r.cx + su * hw * r.ux + sv * hh * vx,
    y: r.cy + su * hw * r.uy + sv * hh * vy,
  });
  return [at(-1, -1), at(1, -1), at(1, 1), at(-1, 1)];
}

/** Axis-aligned [x, y, w, h] of a quad, clipped to the image and rounded outward. */
export function quadBounds(q: Quad, width: number, height: number): [number, number, number, number] {
  const xs = q.map((p) => p.x);
  const ys = q.map((p) => p.y);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const x1 = Math.min(width, Math.ceil(Math.max(...xs)));
  const y1 = Math.min(height, Math.ceil(Math.max(...ys)));
  return [x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0)];
}
