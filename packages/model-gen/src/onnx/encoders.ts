/**
 * Encoder-only graphs: extractive QA (DistilBERT-like), CLIP (text + vision towers), ViT classifier.
 * Input/output names follow the optimum exports listed in reference-models/hub/IO_NAMES.md.
 */
import type { GraphBuilder } from './builder.js';
import { dimOf, encoderLayer, gatherW, layerNorm, linear, paddingMask, patchEmbed, postLnEncoderLayer, type AttnDims } from './nn.js';

export interface EncoderDims extends AttnDims {
  vocab: number;
  ff: number;
  layers: number;
  maxPos: number;
}

/** Token + learned position embeddings for positions 0..S-1 -> [b, S, d]. */
function embedTokens(g: GraphBuilder, ids: string, m: EncoderDims): string {
  const E = g.weight([m.vocab, m.d], 0.02);
  const P = g.weight([m.maxPos, m.d], 0.02);
  const pos = gatherW(g, P, g.op('Range', [g.scalarI(0), dimOf(g, ids, 1), g.scalarI(1)]));
  return g.op('Add', [gatherW(g, E, ids), pos]);
}

/** DistilBERT-style QA: input_ids, attention_mask -> start_logits, end_logits [b, S]. */
export function buildQa(g: GraphBuilder, m: EncoderDims): void {
  const dims = ['batch_size', 'sequence_length'];
  const ids = g.input('input_ids', 'int64', dims);
  const am = g.input('attention_mask', 'int64', dims);
  let x = layerNorm(g, embedTokens(g, ids, m), m.d);
  const mask = paddingMask(g, am);
  for (let i = 0; i < m.layers; i++) x = postLnEncoderLayer(g, x, m, m.ff, mask);
  const both = linear(g, x, m.d, 2);
  g.output(g.op('Gather', [both, g.scalarI(0)], { axis: 2 }), 'start_logits', 'float', dims);
  g.output(g.op('Gather', [both, g.scalarI(1)], { axis: 2 }), 'end_logits', 'float', dims);
}

export interface VisionDims extends AttnDims {
  ff: number;
  layers: number;
  image: number;
  patch: number;
}

/** ViT tower -> pooled [CLS] state [b, d]. */
function visionTower(g: GraphBuilder, pixels: string, v: VisionDims): string {
  let x = layerNorm(g, patchEmbed(g, pixels, v.image, v.patch, v.d), v.d);
  for (let i = 0; i < v.layers; i++) x = encoderLayer(g, x, v, v.ff);
  return layerNorm(g, g.op('Gather', [x, g.scalarI(0)], { axis: 1 }), v.d);
}

/** ViT image classifier: pixel_values -> logits [b, numLabels]. */
export function buildVit(g: GraphBuilder, v: VisionDims, numLabels: number): void {
  const pixels = g.input('pixel_values', 'float', ['batch_size', 'num_channels', 'height', 'width']);
  g.output(linear(g, visionTower(g, pixels, v), v.d, numLabels), 'logits', 'float', ['batch_size', numLabels]);
}

function l2normalize(g: GraphBuilder, x: string): string {
  return g.op('Div', [x, g.op('ReduceL2', [x], { axes: [-1], keepdims: 1 })]);
}

/**
 * CLIP text tower -> { projected embeds [b, P], hidden [b, S, d] }. Pooling is a masked mean (the
 * real model takes the EOS state; for random weights any pooling is as good, and this one needs no
 * ArgMax over int64 ids). Without an attention mask every position counts.
 */
function clipText(g: GraphBuilder, ids: string, am: string | undefined, t: EncoderDims, projection: number) {
  let x = embedTokens(g, ids, t);
  const mask = am ? paddingMask(g, am) : undefined;
  for (let i = 0; i < t.layers; i++) x = encoderLayer(g, x, t, t.ff, mask);
  const hidden = layerNorm(g, x, t.d);
  let pooled: string;
  if (am) {
    const m = g.op('Unsqueeze', [g.op('Cast', [am], { to: 1 }), g.constI([2])]);
    const sum = g.op('ReduceSum', [g.op('Mul', [hidden, m]), g.constI([1])], { keepdims: 0 });
    const count = g.op('ReduceSum', [m, g.constI([1])], { keepdims: 0 });
    pooled = g.op('Div', [sum, g.op('Max', [count, g.constF([1], [])])]);
  } else pooled = g.op('ReduceMean', [hidden], { axes: [1], keepdims: 0 });
  return { embeds: linear(g, pooled, t.d, projection, false), hidden };
}

function clipVision(g: GraphBuilder, pixels: string, v: VisionDims, projection: number) {
  let x = layerNorm(g, patchEmbed(g, pixels, v.image, v.patch, v.d), v.d);
  for (let i = 0; i < v.layers; i++) x = encoderLayer(g, x, v, v.ff);
  const pooled = layerNorm(g, g.op('Gather', [x, g.scalarI(0)], { axis: 1 }), v.d);
  return { embeds: linear(g, pooled, v.d, projection, false), hidden: x };
}

/** CLIPModel: input_ids, pixel_values, attention_mask -> logits_per_image, logits_per_text, text_embeds, image_embeds. */
export function buildClip(g: GraphBuilder, t: EncoderDims, v: VisionDims, projection: number): void {
  const tdims = ['text_batch_size', 'sequence_length'];
  const ids = g.input('input_ids', 'int64', tdims);
  const pixels = g.input('pixel_values', 'float', ['image_batch_size', 'num_channels', 'height', 'width']);
  const am = g.input('attention_mask', 'int64', tdims);
  const textEmbeds = l2normalize(g, clipText(g, ids, am, t, projection).embeds);
  const imageEmbeds = l2normalize(g, clipVision(g, pixels, v, projection).embeds);
  // exp(logit_scale) = 100 as in trained CLIP; the pipeline softmaxes each row of logits_per_image.
  const perText = g.op('Mul', [
    g.op('MatMul', [textEmbeds, g.op('Transpose', [imageEmbeds], { perm: [1, 0] })]),
    g.constF([100], []),
  ]);
  g.output(g.op('Transpose', [perText], { perm: [1, 0] }), 'logits_per_image', 'float', [
    'image_batch_size',
    'text_batch_size',
  ]);
  g.output(perText, 'logits_per_text', 'float', ['text_batch_size', 'image_batch_size']);
  g.output(textEmbeds, 'text_embeds', 'float', ['text_batch_size', projection]);
  g.output(imageEmbeds, 'image_embeds', 'float', ['image_batch_size', projection]);
}

/** CLIPTextModelWithProjection (`text_model`): input_ids -> text_embeds, last_hidden_state. */
export function buildClipText(g: GraphBuilder, t: EncoderDims, projection: number): void {
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const r = clipText(g, ids, undefined, t, projection);
  g.output(r.embeds, 'text_embeds', 'float', ['batch_size', projection]);
  g.output(r.hidden, 'last_hidden_state', 'float', ['batch_size', 'sequence_length', t.d]);
}

/** CLIPVisionModelWithProjection (`vision_model`): pixel_values -> image_embeds, last_hidden_state. */
export function buildClipVision(g: GraphBuilder, v: VisionDims, projection: number): void {
  const pixels = g.input('pixel_values', 'float', ['batch_size', 'num_channels', 'height', 'width']);
  const r = clipVision(g, pixels, v, projection);
  g.output(r.embeds, 'image_embeds', 'float', ['batch_size', projection]);
  g.output(r.hidden, 'last_hidden_state', 'float', ['batch_size', (v.image / v.patch) ** 2 + 1, v.d]);
}
