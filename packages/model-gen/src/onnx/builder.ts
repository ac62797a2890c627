/**
 * Minimal ONNX graph builder on top of onnx-proto (protobufjs). Only what the random-weight
 * transformer graphs need: inputs/outputs with symbolic dims, initializers, nodes, If subgraphs.
 *
 * Opset 17 is used because it has LayerNormalization and Shape(start,end) while keeping
 * attribute-style axes for Reduce ops; onnxruntime-node 1.30 runs it on CPU.
 */
import onnxProto from 'onnx-proto';
import type { Rng } from '../rng.js';

const { onnx } = onnxProto;
type GraphProto = onnxProto.onnx.IGraphProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

export const OPSET = 17;

export const DT = { float: 1, uint8: 2, int8: 3, int64: 7, bool: 9 } as const;
export type ElemType = keyof typeof DT;
export type Dim = number | string;

/** Attribute values: plain number = INT, number[] = INTS, string = STRING, wrappers for the rest. */
export type AttrValue = number | number[] | string | { f: number } | { floats: number[] } | { g: GraphProto };

function bytesOf(a: Float32Array | Int8Array | BigInt64Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function valueInfo(name: string, elem: ElemType, dims?: Dim[]): ValueInfoProto {
  const tensorType: onnxProto.onnx.TypeProto.ITensor = { elemType: DT[elem] };
  if (dims) tensorType.shape = { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType } };
}

function attr(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('f' in v) return { name, type: T.FLOAT, f: v.f };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.GRAPH, g: v.g };
}

/** A parameter; `quant` is set in quantized graphs for rank>=2 tensors. */
export interface Weight {
  float: () => string;
  quant?: { q: string; scale: string; zp: string };
}

/** Shared name counter so If-subgraph values never collide with outer-scope names (ONNX is SSA). */
interface Naming {
  n: number;
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly constCache: Map<string, string>;
  private readonly naming: Naming;
  private readonly root: GraphBuilder;

  /**
   * @param quantize when true, every weight with rank >= 2 is stored as int8 + per-tensor scale and
   *   expanded by DequantizeLinear (a "q8"-style graph: 4x smaller file, same math up to rounding).
   */
  constructor(
    readonly rng: Rng,
    readonly quantize: boolean,
    parent?: GraphBuilder,
  ) {
    this.naming = parent ? parent.naming : { n: 0 };
    // Subgraphs put their initializers (and cached constants) in the root graph: outer-scope
    // references from If branches are legal in ONNX, and it keeps one constant per value.
    this.root = parent ? parent.root : this;
    this.constCache = parent ? parent.constCache : new Map();
  }

  fresh(prefix: string): string {
    return `${prefix}_${this.naming.n++}`;
  }

  input(name: string, elem: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  /** Marks `value` as graph output `name` (adds an Identity when the names differ). */
  output(value: string, name: string, elem: ElemType = 'float', dims?: Dim[]): void {
    if (value !== name) this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: this.fresh('n') });
    this.outputs.push(valueInfo(name, elem, dims));
  }

  /** Adds a node; returns its single output name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outName?: string): string {
    const out = outName ?? this.fresh(opType.toLowerCase());
    this.nodes.push(this.node(opType, inputs, [out], attrs));
    return out;
  }

  /** Adds a node with several outputs. */
  opN(opType: string, inputs: string[], nOut: number, attrs: Record<string, AttrValue> = {}): string[] {
    const outs = Array.from({ length: nOut }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push(this.node(opType, inputs, outs, attrs));
    return outs;
  }

  private node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue>): NodeProto {
    return {
      opType,
      input: inputs,
      output: outputs,
      name: this.fresh('n'),
      attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
    };
  }

  private init(name: string, elem: ElemType, dims: number[], raw: Uint8Array): string {
    this.root.initializers.push({ name, dataType: DT[elem], dims, rawData: raw });
    return name;
  }

  /** fp32 constant tensor (deduplicated by content for small tensors). */
  constF(values: ArrayLike<number>, dims: number[]): string {
    const key = values.length <= 16 ? `f:${dims.join(',')}:${Array.from(values).join(',')}` : '';
    const hit = key && this.constCache.get(key);
    if (hit) return hit;
    const name = this.init(this.fresh('c'), 'float', dims, bytesOf(Float32Array.from(values)));
    if (key) this.constCache.set(key, name);
    return name;
  }

  /** int64 constant tensor (shapes, axes, indices). */
  constI(values: number[], dims: number[] = [values.length]): string {
    const key = `i:${dims.join(',')}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.init(this.fresh('c'), 'int64', dims, bytesOf(BigInt64Array.from(values.map(BigInt))));
    this.constCache.set(key, name);
    return name;
  }

  /** Scalar int64. */
  scalarI(v: number): string {
    return this.constI([v], []);
  }

  /**
   * A learned parameter as a float tensor name. `data` defaults to random values with the given std.
   * Quantized graphs store rank>=2 tensors as int8 (+ DequantizeLinear).
   */
  param(dims: number[], std: number, data?: Float32Array): string {
    return this.weight(dims, std, data).float();
  }

  /**
   * A learned parameter that ops can consume either as float or, in quantized graphs, as raw
   * int8 + per-tensor symmetric scale (MatMulInteger / Gather-then-dequantize paths).
   */
  weight(dims: number[], std: number, data?: Float32Array): Weight {
    const n = dims.reduce((a, b) => a * b, 1);
    const values = data ?? this.rng.fill(n, std);
    if (!this.quantize || dims.length < 2) {
      const name = this.init(this.fresh('w'), 'float', dims, bytesOf(values));
      return { float: () => name };
    }
    let maxAbs = 0;
    for (let i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i] ?? 0));
    const scale = maxAbs > 0 ? maxAbs / 127 : 1;
    const q = new Int8Array(n);
    for (let i = 0; i < n; i++) q[i] = Math.round((values[i] ?? 0) / scale);
    const quant = {
      q: this.init(this.fresh('wq'), 'int8', dims, bytesOf(q)),
      scale: this.init(this.fresh('ws'), 'float', [], bytesOf(Float32Array.of(scale))),
      zp: this.init(this.fresh('wz'), 'int8', [], bytesOf(Int8Array.of(0))),
    };
    let dq: string | undefined;
    const float = () => {
      // The DequantizeLinear always lives in the root graph: onnxruntime's QDQ fusion expects the
      // weight initializer in the same graph as the DQ node and fails on If-branch DQ nodes.
      if (!dq) {
        dq = this.fresh('dq');
        this.root.nodes.push(this.node('DequantizeLinear', [quant.q, quant.scale, quant.zp], [dq], {}));
      }
      return dq;
    };
    return { float, quant };
  }

  /** Filled parameter (e.g. LayerNorm gamma = 1). */
  filled(dims: number[], value: number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    return this.init(this.fresh('w'), 'float', dims, bytesOf(new Float32Array(n).fill(value)));
  }

  /** A child builder for If branches: shares naming and puts initializers in the root graph. */
  subgraph(): GraphBuilder {
    return new GraphBuilder(this.rng, this.quantize, this);
  }

  toGraph(name: string): GraphProto {
    return {
      name,
      node: this.nodes,
      initializer: this === this.root ? this.initializers : [],
      input: this.inputs,
      output: this.outputs,
    };
  }

  /** Serializes the root graph into ONNX ModelProto bytes. */
  toModelBytes(name: string): Uint8Array {
    const model: onnxProto.onnx.IModelProto = {
      irVersion: 8,
      producerName: 'ca-model-gen',
      producerVersion: '1',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: this.toGraph(name),
    };
    return onnx.ModelProto.encode(model).finish();
  }
}
