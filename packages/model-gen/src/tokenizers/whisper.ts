/**
 * Fallback multilingual Whisper tokenizer, used only when the reference hub (with the real
 * Xenova/whisper-tiny files) is absent. Same special-token layout as the real one — text BPE ids,
 * then <|endoftext|>, <|startoftranscript|>, 99 language tokens, <|translate|>, <|transcribe|>,
 * <|startoflm|>, <|startofprev|>, <|nocaptions|>, <|notimestamps|>, then 1501 timestamp tokens —
 * because transformers.js derives timestamp_begin from <|notimestamps|> + 1 and from the last
 * special id. Only the text vocabulary is small.
 */
import { BYTE_LEVEL_DECODER, BYTE_LEVEL_PRE, addedTokensJson, bpeModel, trainByteBpe, vocabObject } from './bpe.js';
import { ENGLISH, HINDI, OTHER } from './corpus.js';

export const WHISPER_LANGS = (
  'en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ur hr bg lt la ' +
  'mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si km sn yo so af oc ka be ' +
  'tg sd gu am yi lo uz fo ht ps tk nn mt sa lb my bo tl mg as tt haw ln ha ba jw su'
).split(' ');

export interface WhisperTokenizerFiles {
  files: Record<string, unknown>;
  vocabSize: number;
  generation: Record<string, unknown>;
}

export function synthWhisperTokenizer(): WhisperTokenizerFiles {
  const bpe = trainByteBpe(ENGLISH + HINDI + OTHER, 600);
  const specials = [
    '<|endoftext|>',
    '<|startoftranscript|>',
    ...WHISPER_LANGS.map((l) => `<|${l}|>`),
    '<|translate|>',
    '<|transcribe|>',
    '<|startoflm|>',
    '<|startofprev|>',
    '<|nocaptions|>',
    '<|notimestamps|>',
  ];
  const stamps = Array.from({ length: 1501 }, (_, i) => `<|${(i * 0.02).toFixed(2)}|>`);
  const vocab = vocabObject([], bpe.tokens, [...specials, ...stamps]);
  const id = (t: string) => vocab[t]!;
  const vocabSize = Object.keys(vocab).length;
  const textVocab = vocabObject([], bpe.tokens, ['<|endoftext|>']);
  const added = [
    ...specials.map((content) => ({ id: id(content), content, special: true })),
    ...stamps.map((content) => ({ id: id(content), content, special: false })),
  ];
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokensJson(added),
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL_PRE,
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '<|startoftranscript|>', type_id: 0 } },
        { SpecialToken: { id: '<|notimestamps|>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<|endoftext|>', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '<|startoftranscript|>', type_id: 0 } },
        { SpecialToken: { id: '<|notimestamps|>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '<|endoftext|>', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ['<|endoftext|>', '<|notimestamps|>', '<|startoftranscript|>'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }]),
      ),
    },
    decoder: BYTE_LEVEL_DECODER,
    model: bpeModel(textVocab, bpe.merges),
  };
  const eos = id('<|endoftext|>');
  const tokenizerConfig = {
    tokenizer_class: 'WhisperTokenizer',
    add_prefix_space: false,
    additional_special_tokens: specials,
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    model_max_length: 1024,
    clean_up_tokenization_spaces: true,
    processor_class: 'WhisperProcessor',
    return_attention_mask: false,
  };
  const preprocessor = {
    chunk_length: 30,
    feature_extractor_type: 'WhisperFeatureExtractor',
    feature_size: 80,
    hop_length: 160,
    n_fft: 400,
    n_samples: 480000,
    nb_max_frames: 3000,
    padding_side: 'right',
    padding_value: 0.0,
    processor_class: 'WhisperProcessor',
    return_attention_mask: false,
    sampling_rate: 16000,
  };
  const generation = {
    begin_suppress_tokens: [id('\u0120'), eos],
    bos_token_id: eos,
    decoder_start_token_id: id('<|startoftranscript|>'),
    eos_token_id: eos,
    pad_token_id: eos,
    is_multilingual: true,
    lang_to_id: Object.fromEntries(WHISPER_LANGS.map((l) => [`<|${l}|>`, id(`<|${l}|>`)])),
    task_to_id: { transcribe: id('<|transcribe|>'), translate: id('<|translate|>') },
    no_timestamps_token_id: id('<|notimestamps|>'),
    max_initial_timestamp_index: 1,
    max_length: 448,
    return_timestamps: false,
  };
  return {
    files: { 'tokenizer.json': tokenizer, 'tokenizer_config.json': tokenizerConfig, 'preprocessor_config.json': preprocessor },
    vocabSize,
    generation,
  };
}
