/**
 * Real-shape mode: the real config/tokenizer/generation/preprocessor files of the reference hub
 * exports, copied byte for byte, next to random-weight ONNX graphs with the real file names, I/O
 * names, vocabulary, layer and head counts. Only the head dim (and so the hidden size) shrinks:
 * transformers.js v4 sizes the empty first-step cache from the graph's input metadata, never from
 * config.json's d_model, so a small head dim is invisible to it.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildClip, buildClipText, buildClipVision, buildQa } from './onnx/encoders.js';
import { buildMergedDecoder, buildTextEncoder, type Seq2SeqDims } from './onnx/seq2seq.js';
import { dirBytes, generateIfStale, optionsHash, writeOnnxPair } from './io.js';
import { findHubDir } from './hub.js';
import { writeWhisperOnnx } from './models/whisper.js';
import { steeringBias } from './tokenizers/bias.js';
import { Rng, hashSeed } from './rng.js';

const HD = 4; // shrunk head dim: hidden = heads * 4
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function readJson(dir: string, file: string): Json {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json;
}

/** Copies every real text file of the hub folder (not our listing/provenance helpers). */
function copyRealFiles(src: string, dst: string): void {
  const skip = new Set(['onnx_listing.json', 'lfs_pointers.json', 'onnx_io_observed.json', 'README.md']);
  for (const f of readdirSync(src)) if (!skip.has(f)) copyFileSync(join(src, f), join(dst, f));
}

/** Highest token id in tokenizer.json (the embedding must cover it even if config.vocab_size is 1 short). */
function tokenizerSize(dir: string): number {
  const t = readJson(dir, 'tokenizer.json');
  const ids = [...Object.values(t.model.vocab as Record<string, number>), ...(t.added_tokens as { id: number }[]).map((a) => a.id)];
  return Math.max(...ids) + 1;
}

type Writer = (dir: string, key: string) => void;

const writeDistilbertQa: Writer = (dir, key) => {
  const c = readJson(dir, 'config.json');
  const vocab = Math.max(c.vocab_size, tokenizerSize(dir));
  const m = { vocab, d: c.n_heads * HD, heads: c.n_heads, hd: HD, ff: 2 * c.n_heads * HD, layers: c.n_layers, maxPos: c.max_position_embeddings };
  writeOnnxPair(dir, 'model', key, (g) => buildQa(g, m));
};

/** The real layer and head counts and vocabulary, with the head size shrunk to HD. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function seq2seqDims(dir: string, c: any, maxPos: number): Seq2SeqDims {
  const heads = c.decoder_attention_heads as number;
  return {
    vocab: Math.max(c.vocab_size, tokenizerSize(dir)),
    d: heads * HD,
    heads,
    hd: HD,
    ff: 2 * heads * HD,
    encLayers: c.encoder_layers,
    decLayers: c.decoder_layers,
    maxPos,
  };
}

const writeBart: Writer = (dir, key) => {
  const c = readJson(dir, 'config.json');
  const gen = existsSync(join(dir, 'generation_config.json')) ? readJson(dir, 'generation_config.json') : c;
  const m = seq2seqDims(dir, c, c.max_position_embeddings);
  const tok = readJson(dir, 'tokenizer.json');
  const specials = (tok.added_tokens as { id: number; special: boolean }[]).filter((a) => a.special).map((a) => a.id);
  const bias = steeringBias(m.vocab, specials, tok.model.vocab);
  // EOS becomes the best token right after min_length (56 for distilbart-cnn), so summaries stay short.
  const eosAfter = Math.max((gen.min_length as number | undefined) ?? 0, 8) + 2;
  const embed = new Rng(hashSeed(`${key}-embed`)).fill(m.vocab * m.d, 0.02);
  writeOnnxPair(dir, 'encoder_model', `${key}-enc`, (g) => buildTextEncoder(g, m, embed));
  writeOnnxPair(dir, 'decoder_model_merged', `${key}-dec`, (g) =>
    buildMergedDecoder(g, m, { encoderMask: true, attentionOutputs: false, logitBias: bias, eosId: gen.eos_token_id, eosAfter }, embed),
  );
};

const writeWhisperReal: Writer = (dir, key) => {
  const c = readJson(dir, 'config.json');
  const m = seq2seqDims(dir, c, c.max_target_positions);
  writeWhisperOnnx(dir, key, m, 16, c.num_mel_bins);
};

const writeClipReal: Writer = (dir, key) => {
  const c = readJson(dir, 'config.json');
  const tc = c.text_config as Json;
  const vc = c.vision_config as Json;
  const t = {
    vocab: Math.max(tc.vocab_size, tokenizerSize(dir)),
    d: tc.num_attention_heads * HD,
    heads: tc.num_attention_heads,
    hd: HD,
    ff: 2 * tc.num_attention_heads * HD,
    layers: tc.num_hidden_layers,
    maxPos: tc.max_position_embeddings,
  };
  const v = {
    d: vc.num_attention_heads * HD,
    heads: vc.num_attention_heads,
    hd: HD,
    ff: 2 * vc.num_attention_heads * HD,
    layers: vc.num_hidden_layers,
    image: vc.image_size,
    patch: vc.patch_size,
  };
  writeOnnxPair(dir, 'model', key, (g) => buildClip(g, t, v, c.projection_dim));
  writeOnnxPair(dir, 'text_model', key, (g) => buildClipText(g, t, c.projection_dim));
  writeOnnxPair(dir, 'vision_model', key, (g) => buildClipVision(g, v, c.projection_dim));
};

/** Hub folders handled, with their writer. Folders missing from the hub are skipped. */
export const REAL_SHAPE_MODELS: Record<string, Writer> = {
  'Xenova/distilbert-base-cased-distilled-squad': writeDistilbertQa,
  'Xenova/distilbart-cnn-6-6': writeBart,
  'Xenova/whisper-tiny': writeWhisperReal,
  'Xenova/whisper-tiny.en': writeWhisperReal,
  'Xenova/whisper-base': writeWhisperReal,
  'onnx-community/whisper-base': writeWhisperReal,
  'Xenova/clip-vit-base-patch32': writeClipReal,
};

export interface RealShapeOptions {
  hubDir?: string;
  out: string;
  force?: boolean;
  models?: string[];
  log?: (msg: string) => void;
}

export async function generateRealShapeModels(opts: RealShapeOptions): Promise<{ dir: string; models: string[]; bytes: number }> {
  const hub = findHubDir(opts.hubDir);
  if (!hub) throw new Error('reference hub not found (pass hubDir or set CA_REFERENCE_HUB)');
  const dir = resolve(opts.out);
  const log = opts.log ?? (() => {});
  const models: string[] = [];
  for (const id of opts.models ?? Object.keys(REAL_SHAPE_MODELS)) {
    const writer = REAL_SHAPE_MODELS[id];
    const src = join(hub, id);
    if (!writer) throw new Error(`no real-shape writer for ${id}`);
    if (!existsSync(join(src, 'config.json')) || !existsSync(join(src, 'tokenizer.json'))) {
      log(`${id}: not in hub, skipped`);
      continue;
    }
    const modelDir = join(dir, id);
    const hash = optionsHash({ realShape: id, config: readFileSync(join(src, 'config.json'), 'utf8') });
    generateIfStale(modelDir, id, { hash, options: { realShape: id } }, { force: opts.force, log }, () => {
      copyDir(src, modelDir);
      writer(modelDir, `real-${id}`);
    });
    models.push(id);
  }
  return { dir, models, bytes: models.reduce((a, id) => a + dirBytes(join(dir, id)), 0) };
}

function copyDir(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  copyRealFiles(src, dst);
}
