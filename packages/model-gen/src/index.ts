/**
 * @ca/model-gen: deterministic random-weight models in the Hugging Face folder layout that load
 * and run through the real @huggingface/transformers v4 pipelines (onnxruntime-node, CPU).
 */
export {
  generateTinyModels,
  TINY_MODEL_IDS,
  DEFAULT_TINY_OUT,
  type GenerateOptions,
  type GenerateResult,
  type TinyModelKey,
} from './generate.js';
export { generateRealShapeModels, REAL_SHAPE_MODELS, type RealShapeOptions } from './realshape.js';
export { TRANSLATOR_LANGS } from './models/text.js';
export { VIT_LABELS } from './models/vision.js';
export { findHubDir } from './hub.js';
