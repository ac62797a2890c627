/**
 * Loading one registry model through transformers.js: the pipeline for its kind, the execution provider
 * (CUDA when asked and present, else CPU with a log line), thread count, a warm-up inference, dispose.
 */
import { pipeline, RawImage } from '@huggingface/transformers';
import { findLanguage, type Config, type Logger, type ModelSpec } from '@ca/shared';
import { modelUnavailable } from './errors.js';
import { loadOcrEngine, type OcrEngine } from '../ocr/engine.js';

// transformers.js pipeline objects are loosely typed; we keep one narrow call signature.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Pipe = ((...args: any[]) => Promise<any>) & { dispose(): Promise<void>; tokenizer?: any; model?: any };

export interface LoadedModel {
  spec: ModelSpec;
  provider: 'cpu' | 'cuda';
  loadMs: number;
  pipe?: Pipe;
  ocr?: OcrEngine;
  dispose(): Promise<void>;
}

type Loader = (spec: ModelSpec, device: 'cpu' | 'cuda') => Promise<Omit<LoadedModel, 'provider' | 'loadMs'>>;

/**
 * transformers.js reports the bytes of each file it reads. A file that takes more than 2 s is a real
 * download (a first start fetches about 1 GB for the default models): a log line every 10 % of it, at
 * most every 2 s, and one at its end. Files read from MODELS_DIR finish sooner and log nothing.
 */
function downloadProgress(model: string, log: Logger) {
  const files = new Map<string, { since: number; pct: number; at: number }>();
  return (e: { status: string; file?: string; progress?: number; total?: number }) => {
    if (e.status !== 'progress' || !e.file) return;
    const now = Date.now();
    const f = files.get(e.file) ?? { since: now, pct: -1, at: 0 };
    files.set(e.file, f);
    const pct = Math.floor(e.progress ?? 0);
    const done = pct >= 100 && f.pct >= 0 && f.pct < 100;
    if (!done && (now - f.since < 2000 || pct < f.pct + 10 || now - f.at < 2000)) return;
    f.pct = pct;
    f.at = now;
    log.info({ model, file: e.file, progress_pct: pct, ...(e.total ? { mb: Math.round(e.total / 1e6) } : {}) }, 'downloading model');
  };
}

function hfLoader(cfg: Config, log: Logger): Loader {
  return async (spec, device) => {
    const pipe = (await pipeline(spec.pipeline as Parameters<typeof pipeline>[0], spec.model, {
      revision: spec.revision,
      dtype: spec.dtype,
      device,
      ...(cfg.allowRemoteModels ? { progress_callback: downloadProgress(spec.model, log) } : {}),
      session_options: { intraOpNumThreads: cfg.ortThreads, interOpNumThreads: 1 },
    })) as unknown as Pipe;
    return { spec, pipe, dispose: () => pipe.dispose() };
  };
}

const ocrLoader: (cfg: Config) => Loader = (cfg) => async (spec, device) => {
  const ocr = await loadOcrEngine({
    executionProviders: device === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    intraOpNumThreads: cfg.ortThreads,
  });
  return { spec, ocr, dispose: () => ocr.dispose() };
};

export async function loadModel(spec: ModelSpec, cfg: Config, log: Logger): Promise<LoadedModel> {
  const load = spec.pipeline === 'ocr' ? ocrLoader(cfg) : hfLoader(cfg, log);
  const t0 = performance.now();
  let provider: 'cpu' | 'cuda' = 'cpu';
  let loaded: Omit<LoadedModel, 'provider' | 'loadMs'> | undefined;
  if (spec.device === 'cuda') {
    try {
      loaded = await load(spec, 'cuda');
      provider = 'cuda';
    } catch (err) {
      log.warn({ model: spec.model, err: (err as Error).message }, 'CUDA requested but unavailable; falling back to CPU');
    }
  }
  if (!loaded) {
    try {
      loaded = await load(spec, 'cpu');
    } catch (err) {
      throw modelUnavailable(spec.model, cfg.modelsDir, cfg.allowRemoteModels, err);
    }
  }
  const model: LoadedModel = { ...loaded, provider, loadMs: performance.now() - t0 };
  await warmUp(model);
  return model;
}

/** One small inference so the first real job does not pay for lazy initialisation. */
async function warmUp(m: LoadedModel): Promise<void> {
  const p = m.pipe;
  switch (m.spec.pipeline) {
    case 'ocr':
      return m.ocr!.warmUp();
    case 'question-answering':
      await p!('What is returned?', 'Items can be returned within 30 days.');
      return;
    case 'summarization':
      await p!('The customer asked about a refund. The agent explained the policy.', { max_new_tokens: 4 });
      return;
    case 'translation':
      await p!('hello', { ...langArgs(p!, 'en', 'en'), max_new_tokens: 4 });
      return;
    case 'zero-shot-image-classification':
      await p!(blankImage(), ['intact', 'damaged']);
      return;
    case 'image-classification':
      await p!(blankImage());
      return;
    case 'automatic-speech-recognition':
      await p!(new Float32Array(16_000), { max_new_tokens: 4 });
      return;
  }
}

function blankImage(): RawImage {
  return new RawImage(new Uint8ClampedArray(64 * 64 * 3).fill(200), 64, 64, 3);
}

/**
 * Language arguments for a translation pipeline, in the model's own codes: M2M100 `hi`, NLLB
 * `hin_Deva`; a single-pair model (OPUS-MT) takes none. Returns undefined for a code the model lacks.
 */
export function langArgs(p: Pipe, src: string, tgt: string): { src_lang?: string; tgt_lang?: string } {
  const codes: unknown = p.tokenizer?.language_codes;
  if (!Array.isArray(codes)) return {};
  const pick = (iso1: string) => resolveModelLanguage(codes as string[], iso1);
  return { src_lang: pick(src), tgt_lang: pick(tgt) };
}

export function resolveModelLanguage(codes: readonly string[], iso1: string): string | undefined {
  const l = findLanguage(iso1);
  if (!l) return undefined;
  return [l.iso1, l.nllb, l.iso3].find((c) => codes.includes(c));
}
