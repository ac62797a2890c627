/**
 * Translation, sentence group by sentence group: seq2seq translators are trained on sentences and
 * degrade (or truncate) on long inputs, so a long message is cut at sentence ends into pieces that
 * fit the model and the translations are joined.
 */
import { AppError, SUPPORTED_LANGUAGE_CODES } from '@ca/shared';
import { langArgs } from '../models/loader.js';
import { splitWindows } from './question-answering.js';
import type { Handler, HandlerContext } from './types.js';
import { countTokens, timed } from './timing.js';

const PIECE_TOKENS = 200;

export async function translate(ctx: HandlerContext, text: string, src: string, tgt: string): Promise<string> {
  const m = ctx.models.get('translator');
  const args = langArgs(m.pipe!, src, tgt);
  for (const [field, code, value] of [['src_lang', args.src_lang, src], ['target_lang', args.tgt_lang, tgt]] as const) {
    if ('src_lang' in args && code === undefined) {
      throw new AppError(422, 'unsupported_language', `the translation model "${m.spec.model}" does not support language "${value}"`, {
        details: { field, language: value, supported: SUPPORTED_LANGUAGE_CODES },
      });
    }
  }
  if (src === tgt) return text;
  const { max_new_tokens } = m.spec.options as { max_new_tokens: number };
  const parts: string[] = [];
  const pieces = [...splitWindows(text, (s) => countTokens(m, s), PIECE_TOKENS)];
  for (const [i, piece] of pieces.entries()) {
    if (i > 0) ctx.progress(i, pieces.length, 'sentence groups');
    const [out] = (await timed(ctx, m, () => m.pipe!(piece.text, { ...args, max_new_tokens }), (r: { translation_text: string }[]) => ({
      tokensIn: countTokens(m, piece.text),
      tokensOut: countTokens(m, r[0]?.translation_text ?? ''),
    }))) as { translation_text: string }[];
    parts.push((out?.translation_text ?? '').trim());
  }
  return parts.join(' ');
}

export const translateText: Handler<'translate-text'> = async (input, _media, ctx) => {
  const translation = await translate(ctx, input.text, input.src_lang, input.target_lang);
  return { translation, src_lang: input.src_lang, target_lang: input.target_lang };
};
