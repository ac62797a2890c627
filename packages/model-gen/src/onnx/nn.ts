/**
 * Transformer building blocks as ONNX subgraphs: real Q/K/V attention, softmax, FFN, LayerNorm.
 * Weights are random; the math is the real thing so runtime cost and shapes are realistic.
 */
import type { GraphBuilder, Weight } from './builder.js';

const NEG = -1e9; // additive mask value: exp(-1e9) == 0 in fp32 without the NaN risk of -inf

/**
 * x @ W. Quantized graphs use ORT's dynamic-quantization pattern (as `quantize_dynamic` writes it and
 * as the real *_quantized.onnx exports use): DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul,
 * which onnxruntime fuses into one int8 kernel. `transposed` multiplies by W^T (tied LM heads); the
 * Transpose of a constant is folded at session creation.
 */
export function matmulW(g: GraphBuilder, x: string, w: Weight, transposed = false): string {
  if (!w.quant) {
    const f = w.float();
    return g.op('MatMul', [x, transposed ? g.op('Transpose', [f], { perm: [1, 0] }) : f]);
  }
  const [xq, xs, xz] = g.opN('DynamicQuantizeLinear', [x], 3) as [string, string, string];
  const b = transposed ? g.op('Transpose', [w.quant.q], { perm: [1, 0] }) : w.quant.q;
  const acc = g.op('Cast', [g.op('MatMulInteger', [xq, b, xz, w.quant.zp])], { to: 1 });
  return g.op('Mul', [acc, g.op('Mul', [xs, w.quant.scale])]);
}

/** Row lookup; quantized tables gather int8 rows first and dequantize only those. */
export function gatherW(g: GraphBuilder, w: Weight, ids: string): string {
  if (!w.quant) return g.op('Gather', [w.float(), ids]);
  return g.op('DequantizeLinear', [g.op('Gather', [w.quant.q, ids]), w.quant.scale, w.quant.zp]);
}

export function linear(g: GraphBuilder, x: string, inDim: number, outDim: number, bias = true): string {
  // 1/sqrt(in) keeps activations around unit scale through random layers
  const y = matmulW(g, x, g.weight([inDim, outDim], 1 / Math.sqrt(inDim)));
  return bias ? g.op('Add', [y, g.param([outDim], 0.02)]) : y;
}

export function layerNorm(g: GraphBuilder, x: string, d: number): string {
  return g.op('LayerNormalization', [x, g.filled([d], 1), g.filled([d], 0)], { axis: -1, epsilon: { f: 1e-5 } });
}

/** Exact GELU: 0.5 * x * (1 + erf(x / sqrt(2))) (Gelu op only exists from opset 20). */
export function gelu(g: GraphBuilder, x: string): string {
  const e = g.op('Erf', [g.op('Mul', [x, g.constF([Math.SQRT1_2], [])])]);
  const onePlus = g.op('Add', [e, g.constF([1], [])]);
  return g.op('Mul', [g.op('Mul', [x, onePlus]), g.constF([0.5], [])]);
}

export function ffn(g: GraphBuilder, x: string, d: number, ff: number): string {
  return linear(g, gelu(g, linear(g, x, d, ff)), ff, d);
}

/** Scalar int64 size of `x` along `axis`. */
export function dimOf(g: GraphBuilder, x: string, axis: number): string {
  return g.op('Squeeze', [g.op('Shape', [x], { start: axis, end: axis + 1 })]);
}

/** [b, S, H*hd] -> [b, H, S, hd] */
export function toHeads(g: GraphBuilder, x: string, heads: number, hd: number): string {
  return g.op('Transpose', [g.op('Reshape', [x, g.constI([0, 0, heads, hd])])], { perm: [0, 2, 1, 3] });
}

/** [b, H, S, hd] -> [b, S, H*hd] */
export function fromHeads(g: GraphBuilder, x: string, heads: number, hd: number): string {
  return g.op('Reshape', [g.op('Transpose', [x], { perm: [0, 2, 1, 3] }), g.constI([0, 0, heads * hd])]);
}

/** Scaled dot-product attention over head tensors; returns merged output and the probabilities. */
export function sdpa(
  g: GraphBuilder,
  q: string,
  k: string,
  v: string,
  heads: number,
  hd: number,
  mask?: string,
): { out: string; probs: string } {
  const qs = g.op('Mul', [q, g.constF([1 / Math.sqrt(hd)], [])]);
  let s = g.op('MatMul', [qs, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]);
  if (mask) s = g.op('Add', [s, mask]);
  const probs = g.op('Softmax', [s], { axis: -1 });
  return { out: fromHeads(g, g.op('MatMul', [probs, v]), heads, hd), probs };
}

/** Attention-mask [b, T] (int64 1/0) -> additive [b, 1, 1, T]. */
export function paddingMask(g: GraphBuilder, attentionMask: string): string {
  const m = g.op('Cast', [attentionMask], { to: 1 });
  const neg = g.op('Mul', [g.op('Sub', [g.constF([1], []), m]), g.constF([NEG], [])]);
  return g.op('Unsqueeze', [neg, g.constI([1, 2])]);
}

/** Causal additive mask [S, past+S] for queries at absolute positions past..past+S-1. */
export function causalMask(g: GraphBuilder, past: string, seq: string): string {
  const total = g.op('Add', [past, seq]);
  const one = g.scalarI(1);
  const rows = g.op('Unsqueeze', [g.op('Range', [past, total, one]), g.constI([1])]);
  const cols = g.op('Unsqueeze', [g.op('Range', [g.scalarI(0), total, one]), g.constI([0])]);
  return g.op('Where', [g.op('Greater', [cols, rows]), g.constF([NEG], []), g.constF([0], [])]);
}

export interface AttnDims {
  d: number;
  heads: number;
  hd: number;
}

/** Multi-head self-attention without cache (encoders). */
export function selfAttention(g: GraphBuilder, x: string, a: AttnDims, mask?: string): string {
  const inner = a.heads * a.hd;
  const q = toHeads(g, linear(g, x, a.d, inner), a.heads, a.hd);
  const k = toHeads(g, linear(g, x, a.d, inner), a.heads, a.hd);
  const v = toHeads(g, linear(g, x, a.d, inner), a.heads, a.hd);
  return linear(g, sdpa(g, q, k, v, a.heads, a.hd, mask).out, inner, a.d);
}

/** Pre-LN encoder layer: x + Attn(LN(x)), then + FFN(LN(.)). */
export function encoderLayer(g: GraphBuilder, x: string, a: AttnDims, ff: number, mask?: string): string {
  const h = g.op('Add', [x, selfAttention(g, layerNorm(g, x, a.d), a, mask)]);
  return g.op('Add', [h, ffn(g, layerNorm(g, h, a.d), a.d, ff)]);
}

/** Post-LN encoder layer (BERT/DistilBERT order): LN(x + Attn(x)), LN(. + FFN(.)). */
export function postLnEncoderLayer(g: GraphBuilder, x: string, a: AttnDims, ff: number, mask?: string): string {
  const h = layerNorm(g, g.op('Add', [x, selfAttention(g, x, a, mask)]), a.d);
  return layerNorm(g, g.op('Add', [h, ffn(g, h, a.d, ff)]), a.d);
}

/**
 * Patch embedding + [CLS] + learned positions for ViT/CLIP vision towers:
 * pixel_values [b, 3, img, img] -> [b, 1 + (img/patch)^2, d].
 */
export function patchEmbed(g: GraphBuilder, pixels: string, img: number, patch: number, d: number): string {
  const w = g.param([d, 3, patch, patch], 1 / Math.sqrt(3 * patch * patch));
  const conv = g.op('Conv', [pixels, w], { kernel_shape: [patch, patch], strides: [patch, patch] });
  const seq = g.op('Transpose', [g.op('Reshape', [conv, g.constI([0, d, -1])])], { perm: [0, 2, 1] });
  const batch = g.op('Shape', [pixels], { start: 0, end: 1 });
  const clsShape = g.op('Concat', [batch, g.constI([1, d])], { axis: 0 });
  const cls = g.op('Expand', [g.param([1, 1, d], 0.02), clsShape]);
  const n = (img / patch) ** 2 + 1;
  return g.op('Add', [g.op('Concat', [cls, seq], { axis: 1 }), g.param([n, d], 0.02)]);
}
