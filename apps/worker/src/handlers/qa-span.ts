/**
 * Extractive QA's last step, in linear time. transformers.js's QuestionAnsweringPipeline scores every
 * start × end pair (an array of n² pairs, filtered and sorted to take the first): 16 ms at 209 tokens,
 * 99 ms at 446, on the thread that runs the model. The best span is the same without the pairs: for each
 * end j, the best start is the largest start probability in [j - maxTokens + 1, j], kept in a monotonic
 * deque as j moves. Masking and softmax are the pipeline's (context tokens only, CLS kept in the softmax
 * then scored 0), and ties go to the smallest start, then the smallest end, as the pipeline's stable
 * sort of its product order does, so with no length limit the answer is the pipeline's own.
 */
import type { Pipe } from '../models/loader.js';

export interface Span {
  /** Token indices into the encoded (question, context) pair, end inclusive. */
  start: number;
  end: number;
  score: number;
}

/** The pipeline's masking: everything up to the first [SEP], padding and special tokens cannot be in the answer. */
export function contextMask(ids: readonly (number | bigint)[], attention: readonly (number | bigint)[], sepId: number, specialIds: ReadonlySet<number>): boolean[] {
  const sep = ids.findIndex((x) => Number(x) === sepId);
  // Index 0 (CLS) stays in the softmax, as in the pipeline; it is scored 0 afterwards.
  return ids.map((x, i) => i === 0 || !(Number(attention[i]) === 0 || i <= sep || specialIds.has(Number(x))));
}

function softmaxMasked(logits: ArrayLike<number>, keep: readonly boolean[]): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (keep[i] && logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = keep[i] ? Math.exp(logits[i]! - max) : 0;
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** The best span by start × end probability, at most `maxTokens` long. */
export function bestSpan(startLogits: ArrayLike<number>, endLogits: ArrayLike<number>, keep: readonly boolean[], maxTokens = Infinity): Span {
  const s = softmaxMasked(startLogits, keep);
  const e = softmaxMasked(endLogits, keep);
  s[0] = 0; // CLS: in the softmax, never the answer
  e[0] = 0;
  const n = s.length;
  // Indices of candidate starts, their probabilities decreasing; equal ones keep the earlier index only.
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  let best: Span = { start: 0, end: 0, score: -1 };
  for (let j = 0; j < n; j++) {
    while (tail > head && s[deque[tail - 1]!]! < s[j]!) tail--;
    deque[tail++] = j;
    while (deque[head]! <= j - maxTokens) head++;
    const i = deque[head]!;
    const score = s[i]! * e[j]!;
    if (score > best.score || (score === best.score && (i < best.start || (i === best.start && j < best.end)))) best = { start: i, end: j, score };
  }
  return best;
}

/**
 * One question over one context window: the pipeline's tokenisation and model call, then bestSpan. The
 * answer is the decoded span, as the pipeline's (`locate` finds it in the context).
 */
export async function answerWindow(pipe: Pipe, question: string, context: string, maxTokens: number): Promise<{ answer: string; score: number }> {
  const tok = pipe.tokenizer;
  const inputs = tok(question, { text_pair: context, padding: true, truncation: true });
  const { start_logits, end_logits } = await pipe.model(inputs);
  const ids = inputs.input_ids.tolist()[0] as (number | bigint)[];
  const attention = inputs.attention_mask.tolist()[0] as (number | bigint)[];
  const keep = contextMask(ids, attention, Number(tok.sep_token_id), specialSet(tok));
  const span = bestSpan(start_logits.data as Float32Array, end_logits.data as Float32Array, keep, maxTokens);
  const answer = tok.decode(ids.slice(span.start, span.end + 1), { skip_special_tokens: true }) as string;
  return { answer, score: span.score };
}

const specials = new WeakMap<object, ReadonlySet<number>>();
function specialSet(tok: { all_special_ids: (number | bigint)[] }): ReadonlySet<number> {
  let set = specials.get(tok);
  if (!set) specials.set(tok, (set = new Set(tok.all_special_ids.map(Number))));
  return set;
}
