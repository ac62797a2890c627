/**
 * Whisper (automatic-speech-recognition) with the REAL multilingual tokenizer files copied from the
 * reference hub (Xenova/whisper-tiny), so language/task/notimestamps prompt tokens behave exactly
 * as with the real model. Only the weights (and, for the tiny size, the dims) are synthetic.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAudioEncoder, buildMergedDecoder, type Seq2SeqDims } from '../onnx/seq2seq.js';
import { copyFiles, writeJson, writeOnnxPair } from '../io.js';
import { Rng, hashSeed } from '../rng.js';
import { steeringBias } from '../tokenizers/bias.js';
import type { Size } from './text.js';
import { synthWhisperTokenizer } from '../tokenizers/whisper.js';

export const WHISPER_TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.json',
  'merges.txt',
  'added_tokens.json',
  'special_tokens_map.json',
  'normalizer.json',
  'preprocessor_config.json',
];

interface WhisperJson {
  eos_token_id: number;
  vocab_size?: number;
}

/**
 * Encoder + merged decoder for a Whisper folder whose tokenizer/config files are already present.
 * The decoder pushes every id >= EOS (specials, language/task tokens, timestamps) down and forces
 * EOS from absolute position `eosAfter` on, so generation returns a short non-empty text.
 */
export function writeWhisperOnnx(dir: string, key: string, m: Seq2SeqDims, eosAfter: number, mels = 80): void {
  const tok = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
  const gen = JSON.parse(readFileSync(join(dir, 'generation_config.json'), 'utf8')) as WhisperJson;
  const eos = gen.eos_token_id;
  const specials: number[] = [];
  for (let id = eos; id < m.vocab; id++) specials.push(id);
  const bias = steeringBias(m.vocab, specials, tok.model.vocab);
  const embed = new Rng(hashSeed(`${key}-embed`)).fill(m.vocab * m.d, 0.02);
  writeOnnxPair(dir, 'encoder_model', `${key}-enc`, (g) => buildAudioEncoder(g, m, mels));
  writeOnnxPair(dir, 'decoder_model_merged', `${key}-dec`, (g) =>
    buildMergedDecoder(g, m, { encoderMask: false, attentionOutputs: true, logitBias: bias, eosId: eos, eosAfter }, embed),
  );
}

/** config.json keys transformers.js reads for Whisper, when no real config is available. */
function baseConfig(vocabSize: number, gen: Record<string, unknown>): Record<string, unknown> {
  return {
    architectures: ['WhisperForConditionalGeneration'],
    model_type: 'whisper',
    is_encoder_decoder: true,
    vocab_size: vocabSize,
    num_mel_bins: 80,
    max_source_positions: 1500,
    max_target_positions: 448,
    bos_token_id: gen.bos_token_id,
    eos_token_id: gen.eos_token_id,
    pad_token_id: gen.pad_token_id,
    decoder_start_token_id: gen.decoder_start_token_id,
    begin_suppress_tokens: gen.begin_suppress_tokens,
    activation_function: 'gelu',
    scale_embedding: false,
    median_filter_width: 7,
  };
}

/**
 * @param hubDir reference hub with Xenova/whisper-tiny; without it a synthesized tokenizer with
 *   the same special-token layout (small text vocab) is written instead.
 */
export function writeWhisper(dir: string, size: Size, hubDir: string | undefined): void {
  let real: Record<string, unknown>;
  let gen: Record<string, unknown>;
  if (hubDir) {
    const src = join(hubDir, 'Xenova/whisper-tiny');
    copyFiles(src, dir, WHISPER_TOKENIZER_FILES);
    real = JSON.parse(readFileSync(join(src, 'config.json'), 'utf8')) as Record<string, unknown>;
    gen = JSON.parse(readFileSync(join(src, 'generation_config.json'), 'utf8')) as Record<string, unknown>;
  } else {
    const synth = synthWhisperTokenizer();
    for (const [f, v] of Object.entries(synth.files)) writeJson(dir, f, v);
    gen = synth.generation;
    real = baseConfig(synth.vocabSize, gen);
  }
  const vocab = real.vocab_size as number;
  const m: Seq2SeqDims =
    size === 'bench'
      ? { vocab, d: 768, heads: 12, hd: 64, ff: 3072, encLayers: 6, decLayers: 6, maxPos: 448 }
      : { vocab, d: 16, heads: 2, hd: 8, ff: 32, encLayers: 1, decLayers: 2, maxPos: 448 }; // d 16 keeps the 51865-row embedding at 3.3 MB
  writeJson(dir, 'config.json', {
    ...real,
    d_model: m.d,
    encoder_layers: m.encLayers,
    decoder_layers: m.decLayers,
    num_hidden_layers: m.encLayers,
    encoder_attention_heads: m.heads,
    decoder_attention_heads: m.heads,
    encoder_ffn_dim: m.ff,
    decoder_ffn_dim: m.ff,
    _generator: `ca-model-gen (random weights, ${hubDir ? 'real whisper-tiny' : 'synthesized'} tokenizer)`,
  });
  // alignment_heads index (layer, head) pairs of the decoder; keep them inside the model's dims.
  gen.alignment_heads = [
    [m.decLayers - 1, 0],
    [m.decLayers - 1, m.heads - 1],
  ];
  writeJson(dir, 'generation_config.json', gen);
  // 4 prompt tokens (<|startoftranscript|><|lang|><|task|><|notimestamps|>) + up to 12 text tokens.
  writeWhisperOnnx(dir, `whisper-${size}`, m, 16);
}
