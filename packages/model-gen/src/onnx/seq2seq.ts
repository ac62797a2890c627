/**
 * Encoder / merged-decoder graphs with the I/O contract of optimum's seq2seq exports, as consumed by
 * transformers.js v4 (`seq2seq_forward`, `decoder_forward`, `addPastKeyValues`):
 *  - decoder inputs: [encoder_attention_mask], input_ids, encoder_hidden_states,
 *    past_key_values.{i}.{decoder,encoder}.{key,value}, use_cache_branch
 *  - decoder outputs: logits, present.{i}.{decoder,encoder}.{key,value} [, decoder_attentions.i, cross_attentions.i]
 * transformers.js builds the first-step (empty) cache from the graph's input metadata: numeric dims are
 * used as-is and symbolic dims other than `batch_size` become 0. So heads/head_dim live in the graph,
 * not in config.json, and self-attention can always Concat(past, new) along the sequence axis.
 */
import type { GraphBuilder, Weight } from './builder.js';
import {
  causalMask,
  dimOf,
  encoderLayer,
  ffn,
  gatherW,
  gelu,
  layerNorm,
  linear,
  matmulW,
  paddingMask,
  sdpa,
  toHeads,
  type AttnDims,
} from './nn.js';

export interface Seq2SeqDims extends AttnDims {
  vocab: number;
  ff: number;
  encLayers: number;
  decLayers: number;
  maxPos: number;
}

/** Sinusoidal table [n, d] (Whisper encoder positions). */
export function sinusoids(n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  const half = d / 2;
  for (let p = 0; p < n; p++) {
    for (let i = 0; i < half; i++) {
      const t = p * Math.exp((-Math.log(10000) * i) / Math.max(half - 1, 1));
      out[p * d + i] = Math.sin(t);
      out[p * d + half + i] = Math.cos(t);
    }
  }
  return out;
}

/** Positions past..past+S-1 looked up in a learned table [maxPos, d] -> [S, d]. */
function positions(g: GraphBuilder, table: Weight, past: string, seq: string): string {
  return gatherW(g, table, g.op('Range', [past, g.op('Add', [past, seq]), g.scalarI(1)]));
}

/** Text encoder: input_ids, attention_mask -> last_hidden_state. `embed` is shared with the decoder. */
export function buildTextEncoder(g: GraphBuilder, m: Seq2SeqDims, embed: Float32Array): void {
  const ids = g.input('input_ids', 'int64', ['batch_size', 'encoder_sequence_length']);
  const am = g.input('attention_mask', 'int64', ['batch_size', 'encoder_sequence_length']);
  const E = g.weight([m.vocab, m.d], 0.02, embed);
  const seq = dimOf(g, ids, 1);
  let x = g.op('Add', [gatherW(g, E, ids), positions(g, g.weight([m.maxPos, m.d], 0.02), g.scalarI(0), seq)]);
  x = layerNorm(g, x, m.d);
  const mask = paddingMask(g, am);
  for (let i = 0; i < m.encLayers; i++) x = encoderLayer(g, x, m, m.ff, mask);
  g.output(layerNorm(g, x, m.d), 'last_hidden_state', 'float', ['batch_size', 'encoder_sequence_length', m.d]);
}

/** Whisper audio encoder: input_features [b, mels, 3000] -> last_hidden_state [b, 1500, d]. */
export function buildAudioEncoder(g: GraphBuilder, m: Seq2SeqDims, mels: number, maxFrames = 1500): void {
  const feats = g.input('input_features', 'float', ['batch_size', mels, 'feature_length']);
  const c1 = g.op('Conv', [feats, g.param([m.d, mels, 3], 1 / Math.sqrt(mels * 3)), g.param([m.d], 0.02)], {
    kernel_shape: [3],
    pads: [1, 1],
  });
  const c2 = g.op('Conv', [gelu(g, c1), g.param([m.d, m.d, 3], 1 / Math.sqrt(m.d * 3)), g.param([m.d], 0.02)], {
    kernel_shape: [3],
    pads: [1, 1],
    strides: [2],
  });
  let x = g.op('Transpose', [gelu(g, c2)], { perm: [0, 2, 1] });
  const frames = dimOf(g, x, 1);
  // Fixed sinusoidal positions like Whisper; Gather keeps shorter (seek-sliced) inputs working.
  const tableName = g.constF(sinusoids(maxFrames, m.d), [maxFrames, m.d]);
  const table: Weight = { float: () => tableName };
  x = g.op('Add', [x, positions(g, table, g.scalarI(0), frames)]);
  for (let i = 0; i < m.encLayers; i++) x = encoderLayer(g, x, m, m.ff);
  g.output(layerNorm(g, x, m.d), 'last_hidden_state', 'float', ['batch_size', 'encoder_sequence_length_out', m.d]);
}

export interface DecoderOptions {
  /** Declare `encoder_attention_mask` (BART/M2M100 do; Whisper's real export does not). */
  encoderMask: boolean;
  /** Whisper exports also return per-layer attention probabilities (used for word timestamps). */
  attentionOutputs: boolean;
  /** Static logit bias [vocab]: pushes special/timestamp ids down so random weights emit text. */
  logitBias: Float32Array;
  /** From this absolute decoder position on, `eosId` gets a huge boost so generation always ends. */
  eosId: number;
  eosAfter: number;
}

export function buildMergedDecoder(g: GraphBuilder, m: Seq2SeqDims, o: DecoderOptions, embed: Float32Array): void {
  const inner = m.heads * m.hd;
  const pastDims = (len: string) => ['batch_size', m.heads, len, m.hd];
  const encMaskIn = o.encoderMask
    ? g.input('encoder_attention_mask', 'int64', ['batch_size', 'encoder_sequence_length'])
    : undefined;
  const ids = g.input('input_ids', 'int64', ['batch_size', 'decoder_sequence_length']);
  const enc = g.input('encoder_hidden_states', 'float', ['batch_size', 'encoder_sequence_length', m.d]);
  const past: { dk: string; dv: string; ek: string; ev: string }[] = [];
  for (let i = 0; i < m.decLayers; i++) {
    const p = `past_key_values.${i}`;
    past.push({
      dk: g.input(`${p}.decoder.key`, 'float', pastDims('past_decoder_sequence_length')),
      dv: g.input(`${p}.decoder.value`, 'float', pastDims('past_decoder_sequence_length')),
      ek: g.input(`${p}.encoder.key`, 'float', pastDims('encoder_sequence_length_out')),
      ev: g.input(`${p}.encoder.value`, 'float', pastDims('encoder_sequence_length_out')),
    });
  }
  const useCache = g.input('use_cache_branch', 'bool', [1]);

  // Cross-attention K/V: reuse the cached ones on the with-past branch, project the encoder states otherwise.
  const withPast = g.subgraph();
  for (const p of past) {
    withPast.output(withPast.op('Identity', [p.ek]), withPast.fresh('ek'));
    withPast.output(withPast.op('Identity', [p.ev]), withPast.fresh('ev'));
  }
  const noPast = g.subgraph();
  for (let i = 0; i < m.decLayers; i++) {
    noPast.output(toHeads(noPast, linear(noPast, enc, m.d, inner), m.heads, m.hd), noPast.fresh('ek'));
    noPast.output(toHeads(noPast, linear(noPast, enc, m.d, inner), m.heads, m.hd), noPast.fresh('ev'));
  }
  const cross = g.opN('If', [useCache], 2 * m.decLayers, {
    then_branch: { g: withPast.toGraph('with_past') },
    else_branch: { g: noPast.toGraph('no_past') },
  });

  const E = g.weight([m.vocab, m.d], 0.02, embed);
  const pastLen = dimOf(g, past[0]?.dk ?? ids, 2);
  const seq = dimOf(g, ids, 1);
  let x = g.op('Add', [gatherW(g, E, ids), positions(g, g.weight([m.maxPos, m.d], 0.02), pastLen, seq)]);
  const selfMask = causalMask(g, pastLen, seq);
  const encMask = encMaskIn ? paddingMask(g, encMaskIn) : undefined;
  const presents: [string, string][] = [];
  const selfProbs: string[] = [];
  const crossProbs: string[] = [];
  for (let i = 0; i < m.decLayers; i++) {
    const p = past[i]!;
    const h = layerNorm(g, x, m.d);
    const q = toHeads(g, linear(g, h, m.d, inner), m.heads, m.hd);
    const k = g.op('Concat', [p.dk, toHeads(g, linear(g, h, m.d, inner), m.heads, m.hd)], { axis: 2 });
    const v = g.op('Concat', [p.dv, toHeads(g, linear(g, h, m.d, inner), m.heads, m.hd)], { axis: 2 });
    const sa = sdpa(g, q, k, v, m.heads, m.hd, selfMask);
    x = g.op('Add', [x, linear(g, sa.out, inner, m.d)]);
    const h2 = layerNorm(g, x, m.d);
    const q2 = toHeads(g, linear(g, h2, m.d, inner), m.heads, m.hd);
    const ek = cross[2 * i]!;
    const ev = cross[2 * i + 1]!;
    const ca = sdpa(g, q2, ek, ev, m.heads, m.hd, encMask);
    x = g.op('Add', [x, linear(g, ca.out, inner, m.d)]);
    x = g.op('Add', [x, ffn(g, layerNorm(g, x, m.d), m.d, m.ff)]);
    presents.push([k, v]);
    selfProbs.push(sa.probs);
    crossProbs.push(ca.probs);
  }

  // LM head tied to the token embedding (as in BART/M2M100/Whisper), plus the steering biases.
  let logits = matmulW(g, layerNorm(g, x, m.d), E, true);
  logits = g.op('Add', [logits, g.constF(o.logitBias, [m.vocab])]);
  const pos = g.op('Range', [pastLen, g.op('Add', [pastLen, seq]), g.scalarI(1)]);
  const late = g.op('GreaterOrEqual', [pos, g.scalarI(o.eosAfter)]);
  const boost = g.op('Unsqueeze', [g.op('Where', [late, g.constF([1e4], []), g.constF([0], [])]), g.constI([1])]);
  const onehot = new Float32Array(m.vocab);
  onehot[o.eosId] = 1;
  logits = g.op('Add', [logits, g.op('Mul', [boost, g.constF(onehot, [m.vocab])])]);

  g.output(logits, 'logits', 'float', ['batch_size', 'decoder_sequence_length', m.vocab]);
  const pd = pastDims('past_decoder_sequence_length + 1');
  for (let i = 0; i < m.decLayers; i++) {
    const [k, v] = presents[i]!;
    g.output(k, `present.${i}.decoder.key`, 'float', pd);
    g.output(v, `present.${i}.decoder.value`, 'float', pd);
    g.output(cross[2 * i]!, `present.${i}.encoder.key`, 'float');
    g.output(cross[2 * i + 1]!, `present.${i}.encoder.value`, 'float');
  }
  if (o.attentionOutputs) {
    selfProbs.forEach((p, i) => g.output(p, `decoder_attentions.${i}`, 'float'));
    crossProbs.forEach((p, i) => g.output(p, `cross_attentions.${i}`, 'float'));
  }
}
