/**
 * Tiny set: generated into a temp dir, then every model runs through the REAL transformers.js
 * pipelines (onnxruntime-node CPU) with dtype fp32 and q8 — no mocks.
 */
import { env, pipeline } from '@huggingface/transformers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findHubDir, generateTinyModels, TINY_MODEL_IDS, VIT_LABELS } from '../src/index.js';
import { CLIP_LABELS, CONTEXT, HINDI_TEXT, LONG_TEXT, QUESTION, audio1s, testImage, treeHashes } from './inputs.js';

const hub = findHubDir();
const root = mkdtempSync(join(tmpdir(), 'model-gen-tiny-'));
let bytes = 0;

beforeAll(async () => {
  const r = await generateTinyModels({ out: root, force: true });
  bytes = r.bytes;
  env.localModelPath = root;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generateTinyModels', () => {
  it('writes all six folders with fp32 + q8 sessions, small enough', async () => {
    expect(Object.keys(TINY_MODEL_IDS)).toHaveLength(6);
    const files = treeHashes(root);
    for (const id of Object.values(TINY_MODEL_IDS)) {
      expect(files[`${id}/config.json`]).toBeDefined();
      const onnx = Object.keys(files).filter((f) => f.startsWith(`${id}/onnx/`));
      expect(onnx.length).toBeGreaterThanOrEqual(2);
      for (const f of onnx.filter((f) => !f.includes('_quantized'))) {
        expect(files[f.replace('.onnx', '_quantized.onnx')]).toBeDefined();
      }
    }
    expect(bytes).toBeLessThan(60e6);
  });

  it('is deterministic and skips up-to-date folders', async () => {
    const again = mkdtempSync(join(tmpdir(), 'model-gen-tiny2-'));
    try {
      await generateTinyModels({ out: again, force: true, models: ['qa', 'translator', 'vit'] });
      const a = treeHashes(root);
      const b = treeHashes(again);
      for (const [f, h] of Object.entries(b)) expect([f, a[f]]).toEqual([f, h]);
      const t0 = Date.now();
      const skipped: string[] = [];
      await generateTinyModels({ out: again, models: ['qa', 'translator', 'vit'], log: (m) => skipped.push(m) });
      expect(skipped.every((m) => m.endsWith('up to date'))).toBe(true);
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });
});

describe.each(['fp32', 'q8'] as const)('pipelines (%s)', (dtype) => {
  it('question-answering returns a span of the context', async () => {
    const qa = await pipeline('question-answering', TINY_MODEL_IDS.qa, { dtype });
    const r = (await qa(QUESTION, CONTEXT)) as { answer: string; score: number };
    expect(r.answer.length).toBeGreaterThan(0);
    expect(CONTEXT).toContain(r.answer);
    expect(r.score).toBeGreaterThan(0);
    await qa.dispose();
  });

  it('summarization returns text', async () => {
    const s = await pipeline('summarization', TINY_MODEL_IDS.summarizer, { dtype });
    const [r] = (await s(LONG_TEXT, { max_new_tokens: 30 })) as { summary_text: string }[];
    expect(typeof r!.summary_text).toBe('string');
    expect(r!.summary_text.trim().length).toBeGreaterThan(0);
    await s.dispose();
  });

  it('translation hi->en and en->hi return text (src_lang/tgt_lang are bare codes)', async () => {
    const t = await pipeline('translation', TINY_MODEL_IDS.translator, { dtype });
    const opts = (src: string, tgt: string) => ({ src_lang: src, tgt_lang: tgt, max_new_tokens: 20 }) as never;
    const [hi] = (await t(HINDI_TEXT, opts('hi', 'en'))) as { translation_text: string }[];
    const [en] = (await t('My package arrived broken.', opts('en', 'hi'))) as { translation_text: string }[];
    expect(hi!.translation_text.trim().length).toBeGreaterThan(0);
    expect(typeof en!.translation_text).toBe('string');
    await expect(t(HINDI_TEXT, opts('hi', 'xx'))).rejects.toThrow(/Target language code/);
    await t.dispose();
  });

  it('zero-shot-image-classification scores sum to 1 over the labels', async () => {
    const c = await pipeline('zero-shot-image-classification', TINY_MODEL_IDS.clip, { dtype });
    const r = (await c(testImage(), CLIP_LABELS)) as { label: string; score: number }[];
    expect(r.map((x) => x.label).sort()).toEqual([...CLIP_LABELS].sort());
    expect(r.reduce((a, x) => a + x.score, 0)).toBeCloseTo(1, 4);
    await c.dispose();
  });

  it('image-classification returns the configured labels', async () => {
    const v = await pipeline('image-classification', TINY_MODEL_IDS.vit, { dtype });
    const r = (await v(testImage(), { top_k: 2 })) as { label: string; score: number }[];
    expect(r.map((x) => x.label).sort()).toEqual([...VIT_LABELS].sort());
    await v.dispose();
  });

  it.runIf(!!hub)('automatic-speech-recognition transcribes (hindi) and translates', async () => {
    const asr = await pipeline('automatic-speech-recognition', TINY_MODEL_IDS.whisper, { dtype });
    const a = (await asr(audio1s(), { language: 'hindi', task: 'transcribe' })) as { text: string };
    const b = (await asr(audio1s(), { language: 'hindi', task: 'translate' })) as { text: string };
    expect(a.text.trim().length).toBeGreaterThan(0);
    expect(typeof b.text).toBe('string');
    await asr.dispose();
  });
});

describe('whisper without the reference hub', () => {
  it('falls back to a synthesized multilingual tokenizer with the real special-token layout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-gen-synth-'));
    try {
      await generateTinyModels({ out: dir, force: true, models: ['whisper'], hubDir: false });
      env.localModelPath = dir;
      const asr = await pipeline('automatic-speech-recognition', TINY_MODEL_IDS.whisper, { dtype: 'q8' });
      const a = (await asr(audio1s(), { language: 'hindi', task: 'transcribe' })) as { text: string };
      const b = (await asr(audio1s(), { task: 'translate', return_timestamps: true } as never)) as { chunks: unknown[] };
      expect(a.text.trim().length).toBeGreaterThan(0);
      expect(b.chunks.length).toBeGreaterThan(0);
      await asr.dispose();
    } finally {
      env.localModelPath = root;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
