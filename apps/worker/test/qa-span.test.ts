/**
 * The linear-time QA span finder against what it replaces: transformers.js's QuestionAnsweringPipeline
 * (every start × end pair, sorted) on a test set, with the tiny model and the real-shape DistilBERT-SQuAD
 * (real tokenizer, random weights, so answers are anywhere: a hard test of equality); and against a brute
 * force over all pairs for the length limit.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, modelRegistry, REPO_ROOT } from '@ca/shared';
import { answerWindow, bestSpan } from '../src/handlers/qa-span.js';
import { loadModel, type LoadedModel } from '../src/models/loader.js';
import { configureTransformers } from '../src/models/transformers-env.js';
import { pseudoRandom } from '../../../packages/media/test/helpers.js';

const QUESTIONS = ['How long do refunds take?', 'What can be exchanged?', 'Where is my order?', 'Who pays for the return label?', 'When was it shipped?'];
const CONTEXTS = [
  'Our return policy lets customers return items within 30 days of delivery. Refunds are paid to the original payment method within 5 business days. Damaged items can be exchanged free of charge.',
  'Order 58213 was shipped on 2 December by DHL Express. The tracking number is 00340434161234567890 and delivery usually takes two to three days.',
  'Return labels are free for members. Everyone else pays 4.95 EUR, taken from the refund. Items must be unused and in their original packaging.',
  'Hi, the blender I bought arrived with a cracked jug. I would like an exchange, or a refund if no replacement is in stock. Order number: A1B2-77810.',
];

const models: Record<string, LoadedModel> = {};
const REAL_SHAPE = path.join(REPO_ROOT, 'models/real-shape');
const realShape = existsSync(path.join(REAL_SHAPE, 'Xenova/distilbert-base-cased-distilled-squad'));

beforeAll(async () => {
  const log = createLogger('test', 'silent');
  const load = async (name: string, env: Record<string, string>) => {
    const cfg = loadConfig({ ...env, ALLOW_REMOTE_MODELS: 'false', ORT_THREADS: '1' });
    configureTransformers(cfg);
    models[name] = await loadModel(modelRegistry(cfg).qa, cfg, log);
  };
  await load('tiny', { MODEL_PROFILE: 'tiny' });
  if (realShape) await load('real-shape', { MODELS_DIR: REAL_SHAPE });
}, 120_000);
afterAll(async () => {
  for (const m of Object.values(models)) await m.dispose();
});

describe('QA best span in linear time', () => {
  it('answers exactly as the transformers.js pipeline on the test set (answer and score), without a length limit', async () => {
    let compared = 0;
    for (const [name, m] of Object.entries(models)) {
      for (const q of QUESTIONS) {
        for (const c of CONTEXTS) {
          const want = (await m.pipe!(q, c, { top_k: 1 })) as { answer: string; score: number };
          const got = await answerWindow(m.pipe!, q, c, Infinity);
          expect(got, `${name}: ${q} | ${c.slice(0, 30)}`).toEqual(want);
          compared++;
        }
      }
    }
    expect(compared).toBe(QUESTIONS.length * CONTEXTS.length * (realShape ? 2 : 1));
  });

  it('with a limit of L tokens, the best span is the best of all pairs at most L long (brute force on random logits)', () => {
    for (let round = 0; round < 200; round++) {
      const n = 8 + (round % 60);
      const bytes = pseudoRandom(2 * n + 1, 7 + round);
      const start = Array.from({ length: n }, (_, i) => (bytes[i]! - 128) / 16);
      const end = Array.from({ length: n }, (_, i) => (bytes[n + i]! - 128) / 16);
      const keep = start.map((_, i) => i === 0 || i > 2 + (round % 4)); // a question of a few tokens, then the context
      const L = 1 + (bytes[2 * n]! % 12);
      const got = bestSpan(start, end, keep, L);
      // Brute force with the same probabilities: every pair i <= j < i + L.
      const unlimited = bestSpan(start, end, keep, Infinity);
      const p = (x: number[]) => {
        const max = Math.max(...x.filter((_, i) => keep[i]));
        const e = x.map((v, i) => (keep[i] ? Math.exp(v - max) : 0));
        const sum = e.reduce((a, b) => a + b, 0);
        return e.map((v, i) => (i === 0 ? 0 : v / sum));
      };
      const ps = p(start);
      const pe = p(end);
      let best = { start: 0, end: 0, score: -1 };
      for (let i = 0; i < n; i++) for (let j = i; j < Math.min(n, i + L); j++) if (ps[i]! * pe[j]! > best.score) best = { start: i, end: j, score: ps[i]! * pe[j]! };
      expect(got.end - got.start).toBeLessThan(L);
      expect([got.start, got.end]).toEqual([best.start, best.end]);
      expect(got.score).toBeCloseTo(best.score, 12);
      expect(unlimited.score).toBeGreaterThanOrEqual(got.score);
    }
  });
});
