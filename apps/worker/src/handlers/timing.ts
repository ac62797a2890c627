import type { LoadedModel } from '../models/loader.js';
import type { HandlerContext } from './types.js';

/** Run one model call, timing it and reporting it against the model's id. */
export async function timed<T>(ctx: HandlerContext, m: LoadedModel, fn: () => Promise<T>, extra: { tokensIn?: number; tokensOut?: number; confidence?: number } | ((r: T) => { tokensIn?: number; tokensOut?: number; confidence?: number }) = {}): Promise<T> {
  ctx.checkCancelled();
  const { value: r, inferenceMs } = await ctx.turn(async () => {
    const t0 = performance.now(); // inside the turn: the wait for it is not the model's time
    return { value: await fn(), inferenceMs: performance.now() - t0 };
  });
  ctx.report({ model: m.spec.model, inferenceMs, ...(typeof extra === 'function' ? extra(r) : extra) });
  ctx.checkCancelled();
  return r;
}

/** Token count with the model's own tokenizer (0 when the pipeline has none). */
export function countTokens(m: LoadedModel, text: string): number {
  const tok = m.pipe?.tokenizer;
  if (!tok || !text) return 0;
  return (tok.encode(text) as number[]).length;
}
