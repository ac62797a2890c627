/**
 * Text models: extractive QA (DistilBERT layout), summarizer (BART layout), translator (M2M100 layout).
 */
import { buildQa, type EncoderDims } from '../onnx/encoders.js';
import { buildMergedDecoder, buildTextEncoder, type Seq2SeqDims } from '../onnx/seq2seq.js';
import { writeJson, writeOnnxPair } from '../io.js';
import { Rng, hashSeed } from '../rng.js';
import {
  BYTE_LEVEL_DECODER,
  BYTE_LEVEL_PRE,
  addedTokensJson,
  bpeModel,
  byteAlphabet,
  trainByteBpe,
  vocabObject,
} from '../tokenizers/bpe.js';
import { ENGLISH, HINDI, OTHER } from '../tokenizers/corpus.js';
import { steeringBias } from '../tokenizers/bias.js';
import { WORDPIECE_TOKENIZER_CONFIG, wordpieceTokenizerJson, wordpieceVocab } from '../tokenizers/wordpiece.js';

export type Size = 'tiny' | 'bench';

export function writeQa(dir: string, size: Size): void {
  const vocabList = wordpieceVocab(size === 'bench' ? 30522 : 0);
  const m: EncoderDims =
    size === 'bench'
      ? { vocab: vocabList.length, d: 768, heads: 12, hd: 64, ff: 3072, layers: 6, maxPos: 512 }
      : { vocab: vocabList.length, d: 32, heads: 2, hd: 16, ff: 64, layers: 2, maxPos: 512 };
  writeJson(dir, 'config.json', {
    architectures: ['DistilBertForQuestionAnswering'],
    model_type: 'distilbert',
    activation: 'gelu',
    dim: m.d,
    hidden_dim: m.ff,
    n_heads: m.heads,
    n_layers: m.layers,
    max_position_embeddings: m.maxPos,
    vocab_size: m.vocab,
    pad_token_id: 0,
    _generator: 'ca-model-gen (random weights)',
  });
  writeJson(dir, 'tokenizer.json', wordpieceTokenizerJson(vocabList));
  writeJson(dir, 'tokenizer_config.json', WORDPIECE_TOKENIZER_CONFIG);
  writeOnnxPair(dir, 'model', `qa-${size}`, (g) => buildQa(g, m));
}

const SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'];

/** Byte-level BPE vocab, padded with unreachable-but-decodable byte pairs up to `padTo`. */
function bpeTokens(text: string, merges: number, padTo: number): { tokens: string[]; merges: string[] } {
  const v = trainByteBpe(text, merges);
  const alphabet = byteAlphabet();
  const seen = new Set(v.tokens);
  for (let i = 0; v.tokens.length + SPECIALS.length + 1 < padTo && i < 256 * 256; i++) {
    const t = alphabet[i >> 8]! + alphabet[i & 255]!;
    if (!seen.has(t)) v.tokens.push(t);
  }
  return v;
}

function seq2seqDims(size: Size, vocab: number): Seq2SeqDims {
  return size === 'bench'
    ? { vocab, d: 768, heads: 12, hd: 64, ff: 3072, encLayers: 6, decLayers: 6, maxPos: 1024 }
    : { vocab, d: 32, heads: 2, hd: 16, ff: 64, encLayers: 2, decLayers: 2, maxPos: 1024 };
}

function seq2seqConfig(m: Seq2SeqDims, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    d_model: m.d,
    encoder_layers: m.encLayers,
    decoder_layers: m.decLayers,
    encoder_attention_heads: m.heads,
    decoder_attention_heads: m.heads,
    encoder_ffn_dim: m.ff,
    decoder_ffn_dim: m.ff,
    max_position_embeddings: m.maxPos,
    vocab_size: m.vocab,
    is_encoder_decoder: true,
    bos_token_id: 0,
    pad_token_id: 1,
    eos_token_id: 2,
    decoder_start_token_id: 2,
    forced_eos_token_id: 2,
    ...extra,
    _generator: 'ca-model-gen (random weights)',
  };
}

function writeSeq2SeqOnnx(dir: string, key: string, m: Seq2SeqDims, bias: Float32Array, eosAfter: number): void {
  // One embedding table shared by encoder and decoder files, as in the real exports.
  const embed = new Rng(hashSeed(`${key}-embed`)).fill(m.vocab * m.d, 0.02);
  writeOnnxPair(dir, 'encoder_model', `${key}-enc`, (g) => buildTextEncoder(g, m, embed));
  writeOnnxPair(dir, 'decoder_model_merged', `${key}-dec`, (g) =>
    buildMergedDecoder(g, m, { encoderMask: true, attentionOutputs: false, logitBias: bias, eosId: 2, eosAfter }, embed),
  );
}

export function writeSummarizer(dir: string, size: Size): void {
  const bpe = bpeTokens(ENGLISH, size === 'bench' ? 2000 : 400, size === 'bench' ? 50265 : 0);
  const vocab = vocabObject(SPECIALS, bpe.tokens, ['<mask>']);
  const V = Object.keys(vocab).length;
  const m = seq2seqDims(size, V);
  writeJson(dir, 'config.json', {
    architectures: ['BartForConditionalGeneration'],
    model_type: 'bart',
    forced_bos_token_id: 0,
    ...seq2seqConfig(m, {}),
  });
  writeJson(dir, 'generation_config.json', {
    bos_token_id: 0,
    decoder_start_token_id: 2,
    eos_token_id: 2,
    forced_bos_token_id: 0,
    forced_eos_token_id: 2,
    pad_token_id: 1,
    max_length: 64,
  });
  writeJson(dir, 'tokenizer.json', {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokensJson([
      ...SPECIALS.map((content, id) => ({ id, content, special: true })),
      { id: V - 1, content: '<mask>', special: true, lstrip: true },
    ]),
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL_PRE,
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['</s>', 2],
      cls: ['<s>', 0],
      trim_offsets: true,
      add_prefix_space: false,
    },
    decoder: BYTE_LEVEL_DECODER,
    model: bpeModel(vocab, bpe.merges),
  });
  writeJson(dir, 'tokenizer_config.json', {
    tokenizer_class: 'BartTokenizer',
    bos_token: '<s>',
    eos_token: '</s>',
    sep_token: '</s>',
    cls_token: '<s>',
    unk_token: '<unk>',
    pad_token: '<pad>',
    mask_token: '<mask>',
    model_max_length: m.maxPos,
    clean_up_tokenization_spaces: true,
  });
  writeSeq2SeqOnnx(dir, `summarizer-${size}`, m, steeringBias(V, [0, 1, 2, 3, V - 1], vocab), 16);
}

/** M2M100 language codes; transformers.js expects them bare ('hi'), the tokens are `__hi__`. */
export const TRANSLATOR_LANGS = ['en', 'hi', 'fr', 'de', 'es', 'ar', 'zh', 'ja', 'ru', 'pt', 'bn', 'ta', 'ur'];

export function writeTranslator(dir: string, size: Size): void {
  const bpe = bpeTokens(ENGLISH + HINDI + OTHER, size === 'bench' ? 2000 : 500, 0);
  const langTokens = TRANSLATOR_LANGS.map((l) => `__${l}__`);
  const vocab = vocabObject(SPECIALS, bpe.tokens, langTokens);
  const V = Object.keys(vocab).length;
  const m = seq2seqDims(size, V);
  writeJson(dir, 'config.json', {
    architectures: ['M2M100ForConditionalGeneration'],
    model_type: 'm2m_100',
    scale_embedding: true,
    ...seq2seqConfig(m, {}),
  });
  writeJson(dir, 'generation_config.json', {
    bos_token_id: 0,
    decoder_start_token_id: 2,
    eos_token_id: 2,
    forced_eos_token_id: 2,
    pad_token_id: 1,
    max_length: 64,
  });
  const langIds = langTokens.map((t) => vocab[t]!);
  const tokenSpec = (t: string) => ({ id: t, ids: [vocab[t]!], tokens: [t] });
  writeJson(dir, 'tokenizer.json', {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokensJson([
      ...SPECIALS.map((content, id) => ({ id, content, special: true })),
      ...langTokens.map((content) => ({ id: vocab[content]!, content, special: true })),
    ]),
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL_PRE,
    // Source-language token first, as M2M100 does; transformers.js rewrites it for `src_lang`.
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '__en__', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '__en__', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      special_tokens: Object.fromEntries([...langTokens, '</s>'].map((t) => [t, tokenSpec(t)])),
    },
    decoder: BYTE_LEVEL_DECODER,
    model: bpeModel(vocab, bpe.merges, false, '<unk>'),
  });
  writeJson(dir, 'tokenizer_config.json', {
    tokenizer_class: 'M2M100Tokenizer',
    bos_token: '<s>',
    eos_token: '</s>',
    sep_token: '</s>',
    unk_token: '<unk>',
    pad_token: '<pad>',
    src_lang: 'en',
    tgt_lang: 'hi',
    additional_special_tokens: langTokens,
    model_max_length: m.maxPos,
    clean_up_tokenization_spaces: true,
  });
  writeSeq2SeqOnnx(dir, `translator-${size}`, m, steeringBias(V, [0, 1, 2, 3, ...langIds], vocab), 12);
}
