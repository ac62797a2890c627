/**
 * Vision models: CLIP (zero-shot-image-classification) and a ViT image classifier.
 */
import { buildClip, buildVit, type EncoderDims, type VisionDims } from '../onnx/encoders.js';
import { writeJson, writeOnnxPair } from '../io.js';
import { CLIP_NORMALIZER, CLIP_PRE, BYTE_LEVEL_DECODER, addedTokensJson, bpeModel, trainByteBpe, vocabObject } from '../tokenizers/bpe.js';
import { ENGLISH } from '../tokenizers/corpus.js';
import type { Size } from './text.js';

const CLIP_PROMPTS = 'a photo of a cracked item, a photo of a scratched item, a photo of a dented item, a photo of a torn item, a photo of an intact item. This is a photo of damage.';

/** CLIP image processor settings (openai/clip-vit-base-patch32). */
export const CLIP_PREPROCESSOR = {
  crop_size: { height: 224, width: 224 },
  do_center_crop: true,
  do_convert_rgb: true,
  do_normalize: true,
  do_rescale: true,
  do_resize: true,
  feature_extractor_type: 'CLIPFeatureExtractor',
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_processor_type: 'CLIPFeatureExtractor',
  image_std: [0.26862954, 0.26130258, 0.27577711],
  resample: 3,
  rescale_factor: 0.00392156862745098,
  size: { shortest_edge: 224 },
};

export function writeClip(dir: string, size: Size): void {
  const bpe = trainByteBpe(CLIP_PROMPTS + ENGLISH, 300, true);
  const vocab = vocabObject([], bpe.tokens, ['<|startoftext|>', '<|endoftext|>']);
  const V = Object.keys(vocab).length;
  const big = size === 'bench';
  const t: EncoderDims = big
    ? { vocab: V, d: 512, heads: 8, hd: 64, ff: 2048, layers: 12, maxPos: 77 }
    : { vocab: V, d: 32, heads: 2, hd: 16, ff: 64, layers: 1, maxPos: 77 };
  const v: VisionDims = big
    ? { d: 768, heads: 12, hd: 64, ff: 3072, layers: 12, image: 224, patch: 32 }
    : { d: 32, heads: 2, hd: 16, ff: 64, layers: 1, image: 224, patch: 32 };
  const projection = big ? 512 : 32;
  writeJson(dir, 'config.json', {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: projection,
    logit_scale_init_value: 2.6592,
    text_config: {
      model_type: 'clip_text_model',
      vocab_size: V,
      hidden_size: t.d,
      intermediate_size: t.ff,
      num_attention_heads: t.heads,
      num_hidden_layers: t.layers,
      max_position_embeddings: t.maxPos,
      projection_dim: projection,
      bos_token_id: V - 2,
      eos_token_id: V - 1,
      pad_token_id: 1,
    },
    vision_config: {
      model_type: 'clip_vision_model',
      hidden_size: v.d,
      intermediate_size: v.ff,
      num_attention_heads: v.heads,
      num_hidden_layers: v.layers,
      image_size: v.image,
      patch_size: v.patch,
      projection_dim: projection,
    },
    _generator: 'ca-model-gen (random weights)',
  });
  writeJson(dir, 'preprocessor_config.json', CLIP_PREPROCESSOR);
  writeJson(dir, 'tokenizer.json', {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokensJson([
      { id: V - 2, content: '<|startoftext|>', special: true },
      { id: V - 1, content: '<|endoftext|>', special: true },
    ]),
    normalizer: CLIP_NORMALIZER,
    pre_tokenizer: CLIP_PRE,
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['<|endoftext|>', V - 1],
      cls: ['<|startoftext|>', V - 2],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: BYTE_LEVEL_DECODER,
    model: bpeModel(vocab, bpe.merges, true, '<|endoftext|>'),
  });
  writeJson(dir, 'tokenizer_config.json', {
    tokenizer_class: 'CLIPTokenizer',
    bos_token: '<|startoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    model_max_length: 77,
    do_lower_case: true,
    clean_up_tokenization_spaces: true,
  });
  writeOnnxPair(dir, 'model', `clip-${size}`, (g) => buildClip(g, t, v, projection));
}

export const VIT_LABELS = ['damaged', 'intact'];

export function writeVit(dir: string, size: Size, labels: string[] = VIT_LABELS): void {
  const v: VisionDims =
    size === 'bench'
      ? { d: 768, heads: 12, hd: 64, ff: 3072, layers: 12, image: 224, patch: 16 }
      : { d: 32, heads: 2, hd: 16, ff: 64, layers: 1, image: 224, patch: 32 };
  writeJson(dir, 'config.json', {
    architectures: ['ViTForImageClassification'],
    model_type: 'vit',
    hidden_size: v.d,
    intermediate_size: v.ff,
    num_attention_heads: v.heads,
    num_hidden_layers: v.layers,
    image_size: v.image,
    patch_size: v.patch,
    num_channels: 3,
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    _generator: 'ca-model-gen (random weights)',
  });
  writeJson(dir, 'preprocessor_config.json', {
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    image_processor_type: 'ViTImageProcessor',
    feature_extractor_type: 'ViTFeatureExtractor',
    resample: 2,
    rescale_factor: 0.00392156862745098,
    size: { height: v.image, width: v.image },
  });
  writeOnnxPair(dir, 'model', `vit-${size}`, (g) => buildVit(g, v, labels.length));
}
