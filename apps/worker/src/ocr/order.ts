import type { Point, Quad } from './types.js';

export interface OrderItem {
  quad: Quad;
  /** Reading direction of the line as finally recognised (the crop's u axis after any turns). */
  dir: Point;
  /** Vote weight, e.g. number of characters read. */
  weight: number;
}

/**
 * Reading order for a page that may be skewed or turned by 90/180/270 degrees: find the
 * dominant reading direction, express every box in that page frame, then go row by row
 * (top to bottom) and left to right within a row. A line joins the current row when its
 * vertical centre is within half a line height of the row's, which keeps a receipt's item
 * and its price (separate boxes) together without merging adjacent rows.
 * Returns indices into `items`.
 */
export function readingOrder(items: OrderItem[]): number[] {
  const theta = pageAngle(items);
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const keyed = items
    .map((it, index) => {
      let x0 = Infinity, y0 = Infinity, y1 = -Infinity;
      for (const p of it.quad) {
        const px = p.x * cos + p.y * sin;
        const py = -p.x * sin + p.y * cos;
        if (px < x0) x0 = px;
        if (py < y0) y0 = py;
        if (py > y1) y1 = py;
      }
      return { index, x: x0, cy: (y0 + y1) / 2, h: y1 - y0 };
    })
    .sort((a, b) => a.cy - b.cy);
  const rows: { cy: number; h: number; items: typeof keyed }[] = [];
  for (const item of keyed) {
    const row = rows[rows.length - 1];
    if (row && Math.abs(item.cy - row.cy) <= 0.5 * Math.min(item.h, row.h)) {
      row.items.push(item);
      // Running means keep the row anchored as members are added.
      row.cy = row.items.reduce((s, i) => s + i.cy, 0) / row.items.length;
      row.h = row.items.reduce((s, i) => s + i.h, 0) / row.items.length;
    } else {
      rows.push({ cy: item.cy, h: item.h, items: [item] });
    }
  }
  return rows.flatMap((row) => row.items.sort((a, b) => a.x - b.x).map((i) => i.index));
}

/**
 * Dominant reading direction: a weighted vote picks the quadrant (0/90/180/270 degrees),
 * then the weighted circular mean of the lines in it gives the skew. The vote keeps a few
 * vertical labels from tilting a horizontal page.
 */
export function pageAngle(items: OrderItem[]): number {
  const votes = [0, 0, 0, 0];
  const quadrant = (a: number) => ((Math.round(a / (Math.PI / 2)) % 4) + 4) % 4;
  const angles = items.map((it) => Math.atan2(it.dir.y, it.dir.x));
  angles.forEach((a, i) => (votes[quadrant(a)]! += items[i]!.weight));
  const q = votes.indexOf(Math.max(...votes));
  let sx = 0;
  let sy = 0;
  angles.forEach((a, i) => {
    if (quadrant(a) !== q) return;
    sx += Math.cos(a) * items[i]!.weight;
    sy += Math.sin(a) * items[i]!.weight;
  });
  return sx === 0 && sy === 0 ? (q * Math.PI) / 2 : Math.atan2(sy, sx);
}
