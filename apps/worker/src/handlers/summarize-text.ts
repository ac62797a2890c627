import type { Handler } from './types.js';
import { countTokens, timed } from './timing.js';

export const summarizeText: Handler<'summarize-text'> = async (input, _media, ctx) => {
  const m = ctx.models.get('summarizer');
  const opts = m.spec.options as { max_length: number; min_length: number };
  const max = input.max_length ?? opts.max_length;
  const min = Math.min(input.min_length ?? opts.min_length, max);
  const [out] = (await timed(ctx, m, () => m.pipe!(input.text, { max_new_tokens: max, min_new_tokens: min }), (r: { summary_text: string }[]) => ({
    tokensIn: countTokens(m, input.text),
    tokensOut: countTokens(m, r[0]?.summary_text ?? ''),
  }))) as { summary_text: string }[];
  return { summary: (out?.summary_text ?? '').trim() };
};
