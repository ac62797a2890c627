/**
 * Real-shape set (needs shared/reference-models/hub): real tokenizer/config/generation files with
 * random-weight graphs of the real I/O names, vocab and layer/head counts, through the real pipelines.
 */
import { env, pipeline } from '@huggingface/transformers';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findHubDir, generateRealShapeModels } from '../src/index.js';
import { CLIP_LABELS, CONTEXT, LONG_TEXT, QUESTION, audio1s, testImage } from './inputs.js';

const hub = findHubDir();
const root = mkdtempSync(join(tmpdir(), 'model-gen-real-'));
const QA = 'Xenova/distilbert-base-cased-distilled-squad';
const BART = 'Xenova/distilbart-cnn-6-6';
const WHISPER = 'Xenova/whisper-tiny';
const CLIP = 'Xenova/clip-vit-base-patch32';

describe.runIf(!!hub)('real-shape models', () => {
  beforeAll(async () => {
    await generateRealShapeModels({ hubDir: hub, out: root, force: true, models: [QA, BART, WHISPER, CLIP] });
    env.localModelPath = root;
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('uses the real file names', () => {
    for (const f of [`${QA}/onnx/model_quantized.onnx`, `${BART}/onnx/decoder_model_merged.onnx`, `${WHISPER}/onnx/encoder_model_quantized.onnx`, `${CLIP}/onnx/text_model.onnx`, `${CLIP}/onnx/vision_model_quantized.onnx`, `${WHISPER}/added_tokens.json`]) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
  });

  it.each(['fp32', 'q8'] as const)('question-answering (%s) with the real WordPiece vocab', async (dtype) => {
    const qa = await pipeline('question-answering', QA, { dtype });
    const r = (await qa(QUESTION, CONTEXT)) as { answer: string; score: number };
    expect(CONTEXT).toContain(r.answer);
    expect(r.score).toBeGreaterThan(0);
    await qa.dispose();
  });

  it('summarization (q8) honours the real generation_config (min_length 56, forced BOS/EOS)', async () => {
    const s = await pipeline('summarization', BART, { dtype: 'q8' });
    const [r] = (await s(LONG_TEXT)) as { summary_text: string }[];
    expect(r!.summary_text.trim().split(/\s+/).length).toBeGreaterThan(10);
    await s.dispose();
  });

  it('zero-shot-image-classification (q8) with the real CLIP tokenizer', async () => {
    const c = await pipeline('zero-shot-image-classification', CLIP, { dtype: 'q8' });
    const r = (await c(testImage(), CLIP_LABELS)) as { score: number }[];
    expect(r.reduce((a, x) => a + x.score, 0)).toBeCloseTo(1, 4);
    await c.dispose();
  });

  it.each(['fp32', 'q8'] as const)('whisper-tiny (%s): hindi transcribe + translate, word timestamps', async (dtype) => {
    const asr = await pipeline('automatic-speech-recognition', WHISPER, { dtype });
    const a = (await asr(audio1s(), { language: 'hindi', task: 'transcribe' })) as { text: string };
    const b = (await asr(audio1s(), { language: 'hindi', task: 'translate' })) as { text: string };
    expect(a.text.trim().length).toBeGreaterThan(0);
    expect(typeof b.text).toBe('string');
    if (dtype === 'q8') {
      // alignment_heads of the real generation_config index real layers/heads: cross_attentions must exist.
      const w = (await asr(audio1s(), { return_timestamps: 'word' } as never)) as { chunks: unknown[] };
      expect(w.chunks.length).toBeGreaterThan(0);
    }
    await asr.dispose();
  });
});
