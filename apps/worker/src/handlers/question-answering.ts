/**
 * Extractive QA over contexts longer than the model's window: the context is cut into overlapping
 * windows of whole sentences that fit the model, each window is asked, and the best-scoring span wins.
 * start/end are character offsets into the client's context.
 */
import type { Handler } from './types.js';
import { answerWindow } from './qa-span.js';
import { countTokens, timed } from './timing.js';

/** The longest pair a window gets (BERT-style QA models read 512; a tokenizer without a limit reports a huge one). */
const MODEL_MAX_TOKENS = 512;
/** Tokens kept free in each window's pair: its [CLS]/[SEP]s, and joins the per-sentence count does not see. */
const PAIR_MARGIN = 8;
/** No window is cut smaller than this, however long the question. */
const MIN_WINDOW_TOKENS = 64;
/** The longest answer, in tokens (a sentence or two; the transformers.js pipeline has no limit, Python's defaults to 15). */
export const MAX_ANSWER_TOKENS = 30;

export const questionAnswering: Handler<'question-answering'> = async (input, _media, ctx) => {
  const m = ctx.models.get('qa');
  const { context, question } = input;
  // Windows as long as the model reads: every window is one model call, and a window's cost grows more
  // slowly than its length, so fewer, fuller windows answer a long context sooner (320-token windows made a
  // 4,000-character context 5 calls; the pair is truncated at the model's limit, so none may exceed it).
  const limit = Math.min(m.pipe!.tokenizer.model_max_length ?? MODEL_MAX_TOKENS, MODEL_MAX_TOKENS);
  const windowTokens = Math.max(MIN_WINDOW_TOKENS, limit - countTokens(m, question) - PAIR_MARGIN);
  const windows = splitWindows(context, (s) => countTokens(m, s), windowTokens);
  let best = { answer: '', score: 0, start: 0, end: 0 };
  for (const [i, w] of windows.entries()) {
    if (i > 0) ctx.progress(i, windows.length, 'windows');
    const out = await timed(ctx, m, () => answerWindow(m.pipe!, question, w.text, MAX_ANSWER_TOKENS), {
      tokensIn: countTokens(m, question) + countTokens(m, w.text),
    });
    const span = locate(w.text, out.answer);
    if (span && (out.score > best.score || best.answer === '')) {
      best = { answer: w.text.slice(span[0], span[1]), score: out.score, start: w.offset + span[0], end: w.offset + span[1] };
    }
  }
  ctx.report({ model: m.spec.model, inferenceMs: 0, tokensOut: countTokens(m, best.answer), confidence: best.score });
  return { question, answer: best.answer, score: clamp01(best.score), start: best.start, end: best.end };
};

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * Where the decoded answer stands in the window, as [start, end) character offsets. The pipeline decodes
 * token ids, so its text can differ from the source in spacing ("5 , 000"), case (uncased models) or a
 * leading WordPiece marker ("##al" when the span starts mid-word); we match ignoring those and return
 * the source's own characters, so `answer` is always a true span of the context.
 */
export function locate(text: string, answer: string): [number, number] | undefined {
  const a = answer.replace(/##/g, '').replace(/\s+/g, '').toLowerCase();
  if (!a) return undefined;
  const idx: number[] = [];
  let squeezed = '';
  for (let i = 0; i < text.length; i++) {
    if (/\s/.test(text[i]!)) continue;
    squeezed += text[i]!.toLowerCase();
    idx.push(i);
  }
  const at = squeezed.indexOf(a);
  if (at < 0) return undefined;
  return [idx[at]!, idx[at + a.length - 1]! + 1];
}

export interface Window {
  text: string;
  offset: number;
}

/** Sentence-aligned windows of at most `max` tokens, overlapping by one sentence. */
export function splitWindows(text: string, tokens: (s: string) => number, max: number): Window[] {
  if (tokens(text) <= max) return [{ text, offset: 0 }];
  const sentences: Window[] = [];
  const re = /[^.!?\n]+[.!?\n]*\s*/g;
  for (let m = re.exec(text); m; m = re.exec(text)) sentences.push({ text: m[0], offset: m.index });
  const windows: Window[] = [];
  let i = 0;
  while (i < sentences.length) {
    let j = i;
    let used = 0;
    while (j < sentences.length) {
      const n = tokens(sentences[j]!.text);
      if (used > 0 && used + n > max) break;
      used += n;
      j++;
    }
    const first = sentences[i]!;
    const last = sentences[j - 1]!;
    windows.push({ text: text.slice(first.offset, last.offset + last.text.length), offset: first.offset });
    if (j >= sentences.length) break;
    i = j - 1 > i ? j - 1 : j; // one sentence of overlap, always moving forward
  }
  return windows;
}
