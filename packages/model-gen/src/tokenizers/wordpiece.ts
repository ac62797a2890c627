/**
 * Cased WordPiece tokenizer (DistilBERT layout). Every printable ASCII/Latin-1 character exists both
 * as a word-initial piece and as a "##" continuation, so any English text tokenizes without [UNK];
 * common whole words keep sequences short. `targetSize` pads the vocabulary with 2-/3-letter pieces
 * to reach a realistic size (~30k) for the bench model.
 */
import { COMMON_WORDS } from './corpus.js';

export const WP_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

function charset(): string[] {
  const chars: string[] = [];
  for (let c = 33; c <= 126; c++) chars.push(String.fromCharCode(c));
  for (let c = 0xa1; c <= 0xff; c++) if (c !== 0xad) chars.push(String.fromCharCode(c));
  chars.push('‘', '’', '“', '”', '–', '—', '…', '€', '₹');
  return chars;
}

export function wordpieceVocab(targetSize = 0): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (t: string) => {
    if (!seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  };
  WP_SPECIALS.forEach(add);
  for (const c of charset()) add(c);
  for (const c of charset()) add('##' + c);
  for (const w of [...COMMON_WORDS].sort()) {
    add(w.toLowerCase());
    add(w[0]!.toUpperCase() + w.slice(1).toLowerCase());
  }
  for (const suffix of ['s', 'ed', 'ing', 'er', 'ly', 'tion', 'ment', 'ness', 'able', 'al', 'es', 'est']) add('##' + suffix);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const grams: string[] = [];
  for (const a of letters) for (const b of letters) grams.push(a + b);
  for (const a of letters) for (const b of letters) for (const c of letters) grams.push(a + b + c);
  for (const gram of grams) {
    if (out.length >= targetSize) break;
    add('##' + gram);
    if (out.length < targetSize) add(gram);
  }
  return out;
}

export function wordpieceTokenizerJson(vocabList: string[]): object {
  const vocab: Record<string, number> = {};
  vocabList.forEach((t, i) => (vocab[t] = i));
  const id = (t: string) => vocab[t]!;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: WP_SPECIALS.map((t) => ({
      id: id(t),
      content: t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: false },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

export const WORDPIECE_TOKENIZER_CONFIG = {
  clean_up_tokenization_spaces: true,
  cls_token: '[CLS]',
  do_lower_case: false,
  mask_token: '[MASK]',
  model_max_length: 512,
  pad_token: '[PAD]',
  sep_token: '[SEP]',
  strip_accents: null,
  tokenize_chinese_chars: true,
  tokenizer_class: 'DistilBertTokenizer',
  unk_token: '[UNK]',
};
