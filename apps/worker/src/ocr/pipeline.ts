import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { aspect, frameFromQuad, rotate180, writeCrop } from './crops.js';
import type { CropFrame } from './crops.js';
import { buildCharset, ctcGreedy, toHalfWidth } from './ctc.js';
import { dbBoxes, prepareDet } from './det.js';
import type { DetInput } from './det.js';
import { quadBounds, rectToQuad } from './geometry.js';
import { readingOrder } from './order.js';
import type { OrderItem } from './order.js';
import { DEFAULT_TUNING } from './types.js';
import type { OcrLine, OcrResult, OcrTuning, Quad, RgbImage } from './types.js';

export interface PipelineOptions {
  modelDir: string;
  executionProviders?: string[];
  intraOpNumThreads?: number;
  tuning?: Partial<OcrTuning>;
}

export const MODEL_FILES = {
  det: 'ch_PP-OCRv4_det_infer.onnx',
  rec: 'ch_PP-OCRv4_rec_infer.onnx',
  cls: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  dict: 'ppocr_keys_v1.txt',
} as const;

const REC_H = 48;
/** Guards memory on absurdly long crops; they get squeezed horizontally beyond this. */
const REC_MAX_W = 3200;
const CLS_W = 192;
const BATCH = 6;
/** Flipped crops reading below this confidence are also read unflipped. */
const FLIP_RECHECK_CONF = 0.9;

/** The whole PP-OCRv4 det -> cls -> rec chain, run on the calling thread. */
export class OcrPipeline {
  private disposed = false;

  private constructor(
    private readonly det: ort.InferenceSession,
    private readonly cls: ort.InferenceSession,
    private readonly rec: ort.InferenceSession,
    private readonly charset: string[],
    private readonly tuning: OcrTuning,
  ) {}

  static async create(opts: PipelineOptions): Promise<OcrPipeline> {
    const sessionOpts: ort.InferenceSession.SessionOptions = {
      executionProviders: (opts.executionProviders ?? ['cpu']) as ort.InferenceSession.ExecutionProviderConfig[],
      graphOptimizationLevel: 'all',
      ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
      interOpNumThreads: 1,
      // Input shapes change with every image and crop, so per-shape memory plans are rarely reused.
      enableMemPattern: false,
    };
    const file = (f: string) => path.join(opts.modelDir, f);
    // One after another, so a failure leaves nothing half-loaded behind: what did load is released.
    const sessions: ort.InferenceSession[] = [];
    try {
      for (const f of [MODEL_FILES.det, MODEL_FILES.cls, MODEL_FILES.rec]) sessions.push(await ort.InferenceSession.create(file(f), sessionOpts));
      const [det, cls, rec] = sessions as [ort.InferenceSession, ort.InferenceSession, ort.InferenceSession];
      const charset = buildCharset(await readFile(file(MODEL_FILES.dict), 'utf8'));
      const classes = rec.outputMetadata[0]?.isTensor ? rec.outputMetadata[0].shape[2] : undefined;
      if (typeof classes === 'number' && classes !== charset.length) {
        throw new Error(`OCR dictionary has ${charset.length} classes but the rec model outputs ${classes}`);
      }
      return new OcrPipeline(det, cls, rec, charset, { ...DEFAULT_TUNING, ...opts.tuning });
    } catch (e) {
      await Promise.allSettled(sessions.map((s) => s.release()));
      throw e;
    }
  }

  async recognize(img: RgbImage): Promise<OcrResult> {
    this.assertOpen();
    assertImage(img);
    const quads = await this.detect(img);
    if (quads.length === 0) return { text: '', lines: [] };
    const upright = quads.map(frameFromQuad);
    const flipped = await this.classifyFlipped(img, upright);
    const decoded = await this.read(img, upright.map((f, i) => (flipped[i] ? rotate180(f) : f)));
    // The classifier is overconfident on blurred or low-contrast crops, and a wrong flip turns
    // a line into garbage; so flipped crops that read poorly are re-read the other way up.
    const recheck = flipped.flatMap((f, i) => (f && decoded[i]!.confidence < FLIP_RECHECK_CONF ? [i] : []));
    if (recheck.length > 0) {
      const again = await this.read(img, recheck.map((i) => upright[i]!));
      recheck.forEach((i, k) => {
        if (again[k]!.confidence > decoded[i]!.confidence) {
          decoded[i] = again[k]!;
          flipped[i] = false;
        }
      });
    }
    const lines: OcrLine[] = [];
    const order: OrderItem[] = [];
    for (let i = 0; i < upright.length; i++) {
      const d = decoded[i]!;
      const text = toHalfWidth(d.text).trim();
      if (!text || d.confidence < this.tuning.recMinConfidence) continue;
      lines.push({ text, confidence: d.confidence, box: quadBounds(quads[i]!, img.width, img.height) });
      const dir = upright[i]!.u;
      order.push({ quad: quads[i]!, dir: flipped[i] ? { x: -dir.x, y: -dir.y } : dir, weight: text.length });
    }
    const ordered = readingOrder(order).map((i) => lines[i]!);
    return { text: ordered.map((l) => l.text).join('\n'), lines: ordered };
  }

  /**
   * Runs every stage once. Detection gets a blank image of the largest size it will ever
   * see: onnxruntime's CPU arena grows (and page-faults) on the first big input, which
   * otherwise adds a few hundred ms to the first real requests. Going through the real
   * pre/post-processing also gets the JS hot loops compiled.
   */
  async warmUp(): Promise<void> {
    this.assertOpen();
    const side = Math.max(32, Math.floor(this.tuning.detMaxSide / 32) * 32);
    const blank: RgbImage = { data: new Uint8Array(side * side * 3).fill(255), width: side, height: side };
    await this.detect(blank);
    // A synthetic probability map with one "line" exercises the box fitting.
    const map: DetInput = { tensor: new Float32Array(0), width: 64, height: 64, scaleX: 1, scaleY: 1 };
    const prob = new Float32Array(64 * 64);
    for (let y = 20; y < 30; y++) prob.fill(1, y * 64 + 8, y * 64 + 56);
    const [quad] = dbBoxes(prob, map, { thresh: 0.3, boxThresh: 0.6, unclipRatio: 2 });
    const frame = frameFromQuad(quad ?? rectToQuad({ cx: 32, cy: 24, ux: 1, uy: 0, w: 48, h: 10 }));
    await this.classifyFlipped(blank, [frame]);
    await this.read(blank, [frame, { ...frame, u: { x: 20 * Math.hypot(frame.v.x, frame.v.y), y: 0 } }]);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.det.release(), this.cls.release(), this.rec.release()]);
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error('OCR engine has been disposed');
  }

  private async detect(img: RgbImage): Promise<Quad[]> {
    const t = this.tuning;
    const input = prepareDet(img, t.detMaxSide);
    const out = await this.det.run({ x: new ort.Tensor('float32', input.tensor, [1, 3, input.height, input.width]) });
    const prob = firstOutput(out).data as Float32Array;
    return dbBoxes(prob, input, { thresh: t.detThresh, boxThresh: t.detBoxThresh, unclipRatio: t.detUnclipRatio });
  }

  /** 0 vs 180 degree classifier; only confident "180" verdicts count, as in PaddleOCR. */
  private async classifyFlipped(img: RgbImage, frames: CropFrame[]): Promise<boolean[]> {
    const result = frames.map(() => false);
    for (let start = 0; start < frames.length; start += BATCH) {
      const batch = frames.slice(start, start + BATCH);
      const tensor = new Float32Array(batch.length * 3 * REC_H * CLS_W);
      batch.forEach((f, i) => writeCrop(img, f, tensor, i, REC_H, CLS_W));
      const out = await this.cls.run({ x: new ort.Tensor('float32', tensor, [batch.length, 3, REC_H, CLS_W]) });
      const probs = firstOutput(out).data as Float32Array;
      batch.forEach((_, i) => {
        const p180 = probs[i * 2 + 1]!;
        if (p180 > probs[i * 2]! && p180 > this.tuning.clsThresh) result[start + i] = true;
      });
    }
    return result;
  }

  /**
   * Recognises crops (grouped by similar aspect, as Paddle does, when recBatch > 1 so padding
   * stays small) and CTC-decodes them. Results are in the order of `frames`.
   */
  private async read(img: RgbImage, frames: CropFrame[]) {
    const order = frames.map((_, i) => i).sort((a, b) => aspect(frames[a]!) - aspect(frames[b]!));
    const decoded = new Array<{ text: string; confidence: number }>(frames.length);
    const batch = Math.max(1, this.tuning.recBatch);
    for (let start = 0; start < order.length; start += batch) {
      const idx = order.slice(start, start + batch);
      const maxRatio = Math.max(...idx.map((i) => aspect(frames[i]!)));
      const width = Math.min(REC_MAX_W, Math.max(this.tuning.recMinWidth, 8, Math.ceil((REC_H * maxRatio) / 8) * 8));
      const tensor = new Float32Array(idx.length * 3 * REC_H * width);
      idx.forEach((fi, slot) => writeCrop(img, frames[fi]!, tensor, slot, REC_H, width));
      const out = firstOutput(await this.rec.run({ x: new ort.Tensor('float32', tensor, [idx.length, 3, REC_H, width]) }));
      const [, steps, classes] = out.dims as [number, number, number];
      const probs = out.data as Float32Array;
      idx.forEach((fi, slot) => {
        decoded[fi] = ctcGreedy(probs, slot, steps, classes, this.charset);
      });
    }
    return decoded;
  }
}

function firstOutput(out: ort.InferenceSession.OnnxValueMapType): ort.Tensor {
  const t = Object.values(out)[0];
  if (!t) throw new Error('OCR model returned no output');
  return t as ort.Tensor;
}

function assertImage(img: RgbImage): void {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`OCR image has invalid size ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new Error(`OCR image data has ${data.length} bytes, expected ${width * height * 3} (RGB, 3 channels)`);
  }
}
