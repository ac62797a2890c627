/**
 * Entry points: the tiny/bench model set and the real-shape set.
 */
import { join, resolve } from 'node:path';
import { dirBytes, generateIfStale, optionsHash } from './io.js';
import { findHubDir, REPO_ROOT } from './hub.js';
import { writeQa, writeSummarizer, writeTranslator, type Size } from './models/text.js';
import { writeClip, writeVit } from './models/vision.js';
import { writeWhisper } from './models/whisper.js';

export const TINY_MODEL_IDS = {
  qa: 'ca-tiny/qa',
  summarizer: 'ca-tiny/summarizer',
  translator: 'ca-tiny/translator',
  clip: 'ca-tiny/clip',
  vit: 'ca-tiny/vit',
  whisper: 'ca-tiny/whisper',
} as const;

export type TinyModelKey = keyof typeof TINY_MODEL_IDS;

export const DEFAULT_TINY_OUT = join(REPO_ROOT, 'models/tiny');

export interface GenerateOptions {
  /** Output root; model folders go to <out>/<model id>. Default: <repo>/models/tiny. */
  out?: string;
  size?: Size;
  /** Regenerate even when the stamp says the folder is current. */
  force?: boolean;
  /** Subset of models (default: all six for tiny; qa, summarizer, whisper for bench). */
  models?: TinyModelKey[];
  /**
   * Reference hub folder (for the real Whisper tokenizer). Default: shared/reference-models/hub
   * when found; `false` forces the synthesized Whisper tokenizer.
   */
  hubDir?: string | false;
  log?: (msg: string) => void;
}

export interface GenerateResult {
  dir: string;
  models: string[];
  bytes: number;
}

const BENCH_DEFAULT: TinyModelKey[] = ['qa', 'summarizer', 'whisper'];

export async function generateTinyModels(opts: GenerateOptions = {}): Promise<GenerateResult> {
  const size = opts.size ?? 'tiny';
  const dir = resolve(opts.out ?? DEFAULT_TINY_OUT);
  const keys = opts.models ?? (size === 'bench' ? BENCH_DEFAULT : (Object.keys(TINY_MODEL_IDS) as TinyModelKey[]));
  const log = opts.log ?? (() => {});
  const models: string[] = [];
  // Whisper copies the real tokenizer from the reference hub when present (synthesized otherwise).
  const hub = opts.hubDir === false ? undefined : findHubDir(opts.hubDir);
  for (const key of keys) {
    const id = TINY_MODEL_IDS[key];
    const modelDir = join(dir, id);
    const hash = optionsHash({ key, size, realWhisperTokenizer: key === 'whisper' && !!hub });
    generateIfStale(modelDir, id, { hash, options: { key, size } }, { force: opts.force, log }, () => {
      if (key === 'qa') writeQa(modelDir, size);
      else if (key === 'summarizer') writeSummarizer(modelDir, size);
      else if (key === 'translator') writeTranslator(modelDir, size);
      else if (key === 'clip') writeClip(modelDir, size);
      else if (key === 'vit') writeVit(modelDir, size);
      else writeWhisper(modelDir, size, hub);
    });
    models.push(id);
  }
  return { dir, models, bytes: models.reduce((a, id) => a + dirBytes(join(dir, id)), 0) };
}
