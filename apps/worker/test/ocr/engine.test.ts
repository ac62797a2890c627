import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOcrEngine } from '../../src/ocr/engine.js';
import type { OcrEngine, OcrResult } from '../../src/ocr/engine.js';
import * as cases from './cases.js';
import type { OcrCase } from './cases.js';
import { cerCounts } from './cer.js';
import { assertFontPresent, renderSvg } from './render.js';

// Real PP-OCRv4 models on images rendered here with DejaVu Sans (no fixtures on disk).
const ALL: OcrCase[] = [...cases.CLEAN_SET, cases.rotated, cases.turned90, cases.skewed, cases.smallText, cases.lowContrast, cases.blank];

let engine: OcrEngine;
const results = new Map<string, OcrResult>();
const timings: string[] = [];

beforeAll(async () => {
  assertFontPresent();
  let t = performance.now();
  engine = await loadOcrEngine();
  const loadMs = performance.now() - t;
  t = performance.now();
  await engine.warmUp();
  console.log(`[ocr] model load ${loadMs.toFixed(0)} ms, warm-up ${(performance.now() - t).toFixed(0)} ms`);
  for (const c of ALL) {
    const img = await renderSvg(c.svg, c.rotate ?? 0);
    t = performance.now();
    results.set(c.name, await engine.recognize(img));
    timings.push(`${c.name} ${img.width}x${img.height}: ${(performance.now() - t).toFixed(0)} ms`);
  }
  console.log(`[ocr] per-image time:\n  ${timings.join('\n  ')}`);
}, 120_000);

afterAll(async () => {
  await engine?.dispose();
});

const result = (c: OcrCase) => {
  const r = results.get(c.name);
  if (!r) throw new Error(`no result for ${c.name}`);
  return r;
};

const cer = (c: OcrCase) => {
  const { errors, length } = cerCounts(result(c).text, c.expected.join('\n'));
  return { errors, length, rate: errors / length };
};

describe('OCR engine (PP-OCRv4 via onnxruntime-node)', () => {
  it('reads the clean set with CER <= 2% (whitespace ignored)', () => {
    let errors = 0;
    let length = 0;
    for (const c of cases.CLEAN_SET) {
      const m = cer(c);
      errors += m.errors;
      length += m.length;
      console.log(`[ocr] ${c.name}: ${m.errors}/${m.length} errors\n  ${result(c).text.replace(/\n/g, ' | ')}`);
    }
    console.log(`[ocr] clean-set CER ${((100 * errors) / length).toFixed(2)}% (${errors}/${length})`);
    expect(errors / length).toBeLessThanOrEqual(0.02);
  });

  it.each(ALL.filter((c) => c.exact.length > 0).map((c) => [c.name, c] as const))(
    'keeps every digit of codes and amounts exact: %s',
    (_, c) => {
      const text = result(c).text;
      for (const s of c.exact) expect(text).toContain(s);
    },
  );

  it.each([cases.rotated, cases.turned90, cases.skewed].map((c) => [c.name, c] as const))(
    'reads a turned page in its own reading order: %s',
    (_, c) => {
      const m = cer(c);
      console.log(`[ocr] ${c.name} CER ${(100 * m.rate).toFixed(2)}%`);
      expect(m.rate).toBeLessThanOrEqual(0.05);
      // CER ignores order only within lines; check that line order follows the page too.
      const got = result(c).lines.map((l) => l.text.replace(/\s+/g, ''));
      expect(got).toEqual(c.expected.map((l) => l.replace(/\s+/g, '')));
    },
  );

  it('reads small (14px) and low-contrast text', () => {
    for (const c of [cases.smallText, cases.lowContrast]) {
      const m = cer(c);
      console.log(`[ocr] ${c.name} CER ${(100 * m.rate).toFixed(2)}%`);
      expect(m.rate).toBeLessThanOrEqual(0.05);
    }
  });

  it('returns empty text for a blank image', () => {
    expect(result(cases.blank)).toEqual({ text: '', lines: [] });
  });

  it('orders lines top-to-bottom, left-to-right (item before its amount, rows in order)', () => {
    const lines = result(cases.receipt).lines.map((l) => l.text.replace(/\s+/g, ''));
    const at = (s: string) => lines.indexOf(s);
    const sequence = ['CORNERMARKET', 'OrganicCoffeeBeans', '12.99', 'WholeMilk1L', '3.49', 'TOTAL', '45.67'];
    const idx = sequence.map(at);
    expect(idx.every((i) => i >= 0)).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    const cols = result(cases.twoColumns).lines.map((l) => l.text.replace(/\s+/g, ''));
    expect(cols.slice(0, 2)).toEqual(['Returnspolicy', 'Customerservice']);
  });

  it('reports boxes in source pixels, with confidences', () => {
    const total = result(cases.receipt).lines.find((l) => l.text === '45.67');
    expect(total).toBeDefined();
    const [x, y, w, h] = total!.box;
    // Rendered right-aligned at x=740, baseline y=420, 26px bold.
    expect(x).toBeGreaterThan(640);
    expect(x + w).toBeGreaterThan(735);
    expect(x + w).toBeLessThan(760);
    expect(y).toBeGreaterThan(385);
    expect(y + h).toBeLessThan(435);
    for (const l of result(cases.receipt).lines) {
      expect(l.confidence).toBeGreaterThan(0.5);
      expect(l.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('rejects malformed images with a clear error', async () => {
    await expect(engine.recognize({ data: new Uint8Array(10), width: 4, height: 4 })).rejects.toThrow(/expected 48/);
  });
});
