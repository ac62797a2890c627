import { describe, expect, it } from 'vitest';
import { UnrecoverableError } from 'bullmq';
import { AppError } from '@ca/shared';
import { splitWindows } from '../src/handlers/question-answering.js';
import { assertHandlersComplete, HANDLERS } from '../src/handlers/index.js';
import { truncateTextFields } from '../src/truncate.js';
import { toBullError } from '../src/failures.js';
import { resolveModelLanguage } from '../src/models/loader.js';

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

describe('QA context windows', () => {
  it('keep a short context whole', () => {
    expect(splitWindows('One. Two.', words, 10)).toEqual([{ text: 'One. Two.', offset: 0 }]);
  });
  it('cut long contexts at sentence ends, within the budget, overlapping, covering everything', () => {
    const text = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} has six words.`).join(' ');
    const ws = splitWindows(text, words, 20);
    expect(ws.length).toBeGreaterThan(5);
    for (const w of ws) {
      expect(text.slice(w.offset, w.offset + w.text.length)).toBe(w.text);
      expect(words(w.text)).toBeLessThanOrEqual(20);
    }
    expect(ws[0]!.offset).toBe(0);
    const last = ws[ws.length - 1]!;
    expect(last.offset + last.text.length).toBe(text.length);
    for (let i = 1; i < ws.length; i++) expect(ws[i]!.offset).toBeLessThan(ws[i - 1]!.offset + ws[i - 1]!.text.length);
  });
  it('always move forward, even with a sentence over the budget', () => {
    const text = `${'word '.repeat(50)}. Short one. ${'more '.repeat(50)}.`;
    const ws = splitWindows(text, words, 10);
    expect(ws.length).toBeLessThan(10);
  });
});

describe('handler map', () => {
  it('has exactly one handler per contract', () => {
    expect(() => assertHandlersComplete()).not.toThrow();
    const { ['extract-text']: _gone, ...missing } = HANDLERS;
    expect(() => assertHandlersComplete(missing)).toThrow(/missing \[extract-text\]/);
    expect(() => assertHandlersComplete({ ...HANDLERS, 'make-coffee': () => 1 })).toThrow(/unknown \[make-coffee\]/);
  });
});

describe('response truncation', () => {
  it('cuts text fields at the limit and says so', () => {
    expect(truncateTextFields({ summary: 'abcdef' }, 4)).toEqual({ value: { summary: 'abcd', truncated: true }, truncated: true });
    expect(truncateTextFields({ summary: 'abcd' }, 4)).toEqual({ value: { summary: 'abcd' }, truncated: false });
  });
});

describe('failures stored in BullMQ', () => {
  it('client errors are unrecoverable, server errors retry, unknown errors hide their message', () => {
    const bad = toBullError(new AppError(422, 'corrupt_media', 'cannot decode')).error;
    expect(bad).toBeInstanceOf(UnrecoverableError);
    expect(JSON.parse(bad.message)).toMatchObject({ status: 422, code: 'corrupt_media' });
    const transient = toBullError(new AppError(500, 'injected_fault', 'x')).error;
    expect(transient).not.toBeInstanceOf(UnrecoverableError);
    const unknown = toBullError(new TypeError('secret path /home/x/file')).error;
    expect(unknown.message).not.toContain('secret');
    expect(JSON.parse(unknown.message).code).toBe('inference_failed');
  });
});

describe('model language codes', () => {
  it('maps ISO 639-1 to M2M100 and NLLB codes', () => {
    expect(resolveModelLanguage(['en', 'hi', 'fr'], 'hi')).toBe('hi');
    expect(resolveModelLanguage(['eng_Latn', 'hin_Deva'], 'hi')).toBe('hin_Deva');
    expect(resolveModelLanguage(['en', 'fr'], 'hi')).toBeUndefined();
  });
});

import { locate } from '../src/handlers/question-answering.js';
describe('QA answer location', () => {
  const ctx = 'Refunds are paid to the original payment method within 5,000 hours.';
  it('maps decoded answers back to true spans of the context', () => {
    for (const decoded of ['original payment method', '##al payment method', 'ORIGINAL PAYMENT', '5 , 000 hours']) {
      const span = locate(ctx, decoded)!;
      expect(span).toBeDefined();
      expect(ctx.slice(span[0], span[1]).replace(/\s/g, '').toLowerCase()).toBe(decoded.replace(/##|\s/g, '').toLowerCase());
    }
    expect(locate(ctx, 'not there')).toBeUndefined();
    expect(locate(ctx, '##')).toBeUndefined();
  });
});

import { Registry } from 'prom-client';
import { collectProcessMetrics } from '@ca/shared';
import { lintExposition } from '../../../test/helpers/metrics-lint.js';
describe('process metrics', () => {
  it('follow the Prometheus naming rules (no gauge ends in _total)', async () => {
    const r = new Registry();
    collectProcessMetrics(r);
    const text = await r.metrics();
    expect(text).toContain('# TYPE nodejs_active_handles gauge');
    expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
    expect(text).not.toContain('nodejs_active_handles_total');
    expect(lintExposition(text)).toEqual([]);
  });
  it('the lint catches what promtool rejects', () => {
    expect(lintExposition('# HELP x_total h\n# TYPE x_total gauge\n# HELP y h\n# TYPE y counter\n# HELP z_ms h\n# TYPE z_ms gauge')).toHaveLength(3);
  });
});
