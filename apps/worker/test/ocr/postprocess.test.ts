import { describe, expect, it } from 'vitest';
import { buildCharset, ctcGreedy, toHalfWidth } from '../../src/ocr/ctc.js';
import { convexHull, minAreaRect, rectToQuad, unclip } from '../../src/ocr/geometry.js';
import { pageAngle, readingOrder } from '../../src/ocr/order.js';
import type { OrderItem } from '../../src/ocr/order.js';

// Fast model-free checks of the pieces the engine test exercises only end to end.

function softmaxRows(logits: number[][]): Float32Array {
  return Float32Array.from(
    logits.flatMap((row) => {
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    }),
  );
}

describe('CTC decoding', () => {
  const charset = buildCharset('a\nb\nc\n');

  it('puts blank first and the space last, ignoring a trailing newline', () => {
    expect(charset).toEqual(['', 'a', 'b', 'c', ' ']);
  });

  it('collapses repeats, drops blanks and averages kept probabilities', () => {
    const hot = (i: number) => [0, 1, 2, 3, 4].map((c) => (c === i ? 10 : 0));
    // a a _ a b _ space c
    const probs = softmaxRows([hot(1), hot(1), hot(0), hot(1), hot(2), hot(0), hot(4), hot(3)]);
    const d = ctcGreedy(probs, 0, 8, 5, charset);
    expect(d.text).toBe('aab c');
    expect(d.confidence).toBeGreaterThan(0.99);
  });

  it('matches a brute-force argmax on random softmax rows (early exit is exact)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const classes = 50;
    const steps = 200;
    const logits = Array.from({ length: steps }, () => Array.from({ length: classes }, () => rnd() * 6));
    const probs = softmaxRows(logits);
    const big = ['', ...Array.from({ length: classes - 1 }, (_, i) => String.fromCharCode(0x4e00 + i))];
    let expected = '';
    let prev = -1;
    for (const row of logits) {
      const best = row.indexOf(Math.max(...row));
      if (best !== 0 && best !== prev) expected += big[best];
      prev = best;
    }
    expect(ctcGreedy(probs, 0, steps, classes, big).text).toBe(expected);
  });

  it('folds full-width ASCII to half-width', () => {
    expect(toHalfWidth('合计：（１２．９９）　ＯＫ')).toBe('合计:(12.99) OK');
  });
});

describe('box geometry', () => {
  it('finds the rotated minimum-area rectangle and unclips it on every side', () => {
    // A 40x10 rectangle rotated by 30 degrees.
    const a = Math.PI / 6;
    const pts = [
      [-20, -5],
      [20, -5],
      [20, 5],
      [-20, 5],
      [0, 0],
    ].map(([x, y]) => ({ x: 100 + x! * Math.cos(a) - y! * Math.sin(a), y: 50 + x! * Math.sin(a) + y! * Math.cos(a) }));
    const r = minAreaRect(convexHull(pts));
    expect(r.w).toBeCloseTo(40, 5);
    expect(r.h).toBeCloseTo(10, 5);
    expect(Math.atan2(r.uy, r.ux)).toBeCloseTo(a, 5);
    const g = unclip(r, 2);
    const d = (40 * 10 * 2) / (2 * 50);
    expect(g.w).toBeCloseTo(40 + 2 * d, 5);
    const [tl, tr] = rectToQuad(g);
    expect(tr.x).toBeGreaterThan(tl.x);
  });
});

describe('reading order', () => {
  // Axis-aligned line at (x, y) with reading direction `dir`.
  const item = (x: number, y: number, dir = { x: 1, y: 0 }, w = 100, h = 20): OrderItem => ({
    quad: [
      { x, y },
      { x: x + w, y },
      { x: x + w, y: y + h },
      { x, y: y + h },
    ],
    dir,
    weight: 10,
  });

  it('groups lines whose centres are within half a line height into a row, then sorts by x', () => {
    const items = [item(600, 103), item(50, 100), item(50, 140), item(50, 40)]; // price, item, next, title
    expect(readingOrder(items)).toEqual([3, 1, 0, 2]);
  });

  it('reads an upside-down page in its own frame', () => {
    const left = { x: -1, y: 0 };
    // Page 800x200 turned 180 degrees: its first line is now bottom-right, reading leftwards.
    const items = [item(650, 140, left), item(650, 100, left), item(50, 140, left)]; // first, second, right of first
    expect(readingOrder(items)).toEqual([0, 2, 1]);
  });

  it('follows a skewed page instead of the image axes', () => {
    const a = (4 * Math.PI) / 180;
    const dir = { x: Math.cos(a), y: Math.sin(a) };
    // Two rows on a page tilted 4 degrees: the right-hand price sits ~50 px lower than its item.
    const rot = (x: number, y: number) => ({ x: x * dir.x - y * dir.y, y: x * dir.y + y * dir.x });
    const at = (x: number, y: number): OrderItem => {
      const q = [rot(x, y), rot(x + 100, y), rot(x + 100, y + 20), rot(x, y + 20)] as OrderItem['quad'];
      return { quad: q, dir, weight: 10 };
    };
    const items = [at(700, 100), at(50, 140), at(50, 100), at(700, 140)];
    expect(readingOrder(items)).toEqual([2, 0, 1, 3]);
    expect(pageAngle(items)).toBeCloseTo(a, 6);
  });
});
