/**
 * §9 of the benchmark (issue 14 goal 8): do batches pay for CLIP and for OCR recognition on this machine?
 * Each variant is measured in turn in every round (the same machine load for all) and the medians are
 * compared; the worker keeps the variant that wins (today: one crop per OCR recognition run, one photo per
 * CLIP call). Nothing here is asserted.
 * - OCR: PP-OCRv4 (real weights) reads a 16-line receipt with the recognition model run on 1, 4 or 8 crops
 *   at a time (crops grouped by aspect, padded to the widest of the group); the texts must agree.
 * - CLIP: the bench-size CLIP (ViT-B/32 shape, random weights) scores 8 photos against the damage labels,
 *   one call per photo or one call for all of them (transformers.js batches the pixel values).
 */
import { createLogger, loadConfig, modelRegistry } from '@ca/shared';
import { loadModel } from '../apps/worker/src/models/loader.js';
import { configureTransformers } from '../apps/worker/src/models/transformers-env.js';
import { loadOcrEngine } from '../apps/worker/src/ocr/engine.js';
import { generateTinyModels } from '../packages/model-gen/src/generate.js';
import { productPhoto, receiptImage, rgb, transformers } from './lib/inputs.js';
import { ms, type Row } from './lib/stats.js';
import { BENCH_DIR } from './model-layer.js';

const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function benchMediaBatches(rounds: number, rows: Row[], log: (m: string) => void): Promise<void> {
  const cfg = loadConfig({ MODEL_PROFILE: 'tiny', MODELS_DIR: BENCH_DIR, ALLOW_REMOTE_MODELS: 'false', LOG_LEVEL: 'warn' });
  const section = '9 media batches';

  log('§9 OCR recognition: 1, 4 and 8 crops per run');
  const img = await rgb(await receiptImage(16));
  const sizes = [1, 4, 8];
  const engines = await Promise.all(sizes.map((recBatch) => loadOcrEngine({ intraOpNumThreads: cfg.ortThreads, tuning: { recBatch } })));
  try {
    const texts = await Promise.all(engines.map(async (e) => (await e.recognize(img)).text)); // warm-up, and the texts to compare
    const times = sizes.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) for (const [i, e] of engines.entries()) times[i]!.push(await timed(() => e.recognize(img)));
    const lines = texts[0]!.split('\n').length;
    const base = median(times[0]!);
    for (const [i, b] of sizes.entries()) {
      rows.push({
        section,
        what: `OCR of a 16-line receipt, recognition batch ${b}${b === 1 ? ' (the default)' : ''}`,
        how: `PP-OCRv4, 640×${img.height} PNG, ORT ${cfg.ortThreads} threads; ${rounds} rounds, batch sizes in turn; median`,
        value: `${ms(median(times[i]!))} per image (${(median(times[i]!) / base).toFixed(2)}× batch 1) · ${lines} lines read · text ${texts[i] === texts[0] ? 'identical to batch 1' : 'DIFFERS from batch 1'}`,
      });
    }
  } finally {
    for (const e of engines) await e.dispose();
  }

  log('§9 CLIP: 8 photos, one call each or one call for all');
  await generateTinyModels({ size: 'bench', out: BENCH_DIR, models: ['clip'], log: () => undefined });
  configureTransformers(cfg);
  const spec = modelRegistry(cfg).vision;
  const m = await loadModel(spec, cfg, createLogger('bench', 'warn'));
  try {
    const { RawImage } = await transformers();
    const photo = await rgb(await productPhoto(224));
    const images = Array.from({ length: 8 }, () => new RawImage(photo.data, photo.width, photo.height, 3));
    const o = spec.options as { labels: string[]; hypothesis_template: string };
    const call = (x: unknown) => m.pipe!(x, o.labels, { hypothesis_template: o.hypothesis_template });
    await call(images[0]);
    await call(images);
    const one: number[] = [];
    const all: number[] = [];
    for (let r = 0; r < rounds; r++) {
      one.push(await timed(async () => { for (const i of images) await call(i); }));
      all.push(await timed(() => call(images)));
    }
    const perItem = (x: number[]) => median(x) / images.length;
    for (const [what, x] of [['one call per photo (the worker today)', one], ['one call for the 8 photos', all]] as const) {
      rows.push({
        section,
        what: `CLIP zero-shot, 8 photos: ${what}`,
        how: `bench-size CLIP (${spec.model} in models/bench, ${spec.dtype}), 224×224, ${o.labels.length} labels, ORT ${cfg.ortThreads} threads; ${rounds} rounds in turn; median`,
        value: `${ms(perItem(x))} per photo (${(perItem(x) / perItem(one)).toFixed(2)}× one call per photo)`,
      });
    }
  } finally {
    await m.dispose();
  }
}
