/**
 * §1 and §2 of the benchmark: models loaded in this process exactly as a worker loads them (registry +
 * loadModel, warm-up included), then timed one call at a time; and the event loop's timer lag while the
 * realistic-size QA model runs back to back.
 */
import path from 'node:path';
import { statSync, readdirSync } from 'node:fs';
import { loadConfig, modelRegistry, REPO_ROOT, type Config, type Logger, type ModelKey } from '@ca/shared';
import { langArgs, loadModel, type LoadedModel } from '../apps/worker/src/models/loader.js';
import { configureTransformers } from '../apps/worker/src/models/transformers-env.js';
import { answerWindow } from '../apps/worker/src/handlers/qa-span.js';
import { MAX_ANSWER_TOKENS } from '../apps/worker/src/handlers/question-answering.js';
import { generateTinyModels } from '../packages/model-gen/src/generate.js';
import { fitContext, ocrImage, productPhoto, QA_QUESTION, rgb, SUMMARY_TEXT, tone, transformers, TRANSLATE_TEXT } from './lib/inputs.js';
import { lagProbe, max, ms, p50p95, percentile, timeRuns, type Row } from './lib/stats.js';

export const TINY_DIR = path.join(REPO_ROOT, 'models/tiny');
export const BENCH_DIR = path.join(REPO_ROOT, 'models/bench');
export const QA_TOKENS = 209;

type Call = () => Promise<unknown>;
interface Prepared {
  label: string;
  input: string;
  call: Call;
}

function modelCfg(modelsDir: string, dtype: 'q8' | 'fp32'): Config {
  return loadConfig({ MODEL_PROFILE: 'tiny', MODELS_DIR: modelsDir, ALLOW_REMOTE_MODELS: 'false', MODEL_DTYPE: dtype, LOG_LEVEL: 'warn' });
}

/** Make sure both model sets exist (no-ops when their stamps are fresh); one row about the bench model. */
export async function ensureModels(rows: Row[], log: (m: string) => void): Promise<void> {
  await generateTinyModels({ size: 'tiny', out: TINY_DIR });
  const t0 = performance.now();
  const generated: string[] = [];
  await generateTinyModels({ size: 'bench', out: BENCH_DIR, models: ['qa'], log: (m) => (log(m), m.includes('generated') && generated.push(m)) });
  const bytes = dirBytes(path.join(BENCH_DIR, 'ca-tiny/qa'));
  rows.push({
    section: '1 model layer',
    what: 'bench-size QA model (ca-tiny/qa in models/bench)',
    how: 'hidden 768, 6 layers, 30,522 vocab, random weights; fp32 + q8 files on disk',
    value: `${(bytes / 1e6).toFixed(0)} MB; ${generated.length ? `generated now in ${ms(performance.now() - t0)}` : 'already generated'}`,
  });
}

function dirBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + statSync(path.join(e.parentPath ?? dir, e.name)).size, 0);
}

async function prepare(key: ModelKey, m: LoadedModel): Promise<Prepared> {
  const p = m.pipe!;
  switch (key) {
    case 'qa': {
      const { context, tokens } = fitContext(p.tokenizer, QA_TOKENS);
      return { label: 'QA', input: `${tokens}-token question+context`, call: () => p(QA_QUESTION, context, { top_k: 1 }) };
    }
    case 'summarizer': {
      const o = m.spec.options as { max_length: number; min_length: number };
      const input = `${SUMMARY_TEXT.split(' ').length}-word text, max/min_new_tokens ${o.max_length}/${o.min_length} (registry)`;
      return { label: 'summarizer', input, call: () => p(SUMMARY_TEXT, { max_new_tokens: o.max_length, min_new_tokens: o.min_length }) };
    }
    case 'translator': {
      const o = m.spec.options as { max_new_tokens: number };
      const args = langArgs(p, 'en', 'fr');
      return { label: 'translator', input: `${TRANSLATE_TEXT.split(' ').length}-word sentence en→fr`, call: () => p(TRANSLATE_TEXT, { ...args, max_new_tokens: o.max_new_tokens }) };
    }
    case 'vision': {
      const { RawImage } = await transformers();
      const img = await rgb(await productPhoto(224));
      const o = m.spec.options as { labels: string[]; hypothesis_template: string };
      const image = new RawImage(img.data, img.width, img.height, 3);
      return { label: 'CLIP zero-shot', input: `224×224 photo, ${o.labels.length} labels`, call: () => p(image, o.labels, { hypothesis_template: o.hypothesis_template }) };
    }
    case 'asr': {
      const audio = tone(5);
      return { label: 'Whisper', input: '5 s 16 kHz audio, transcribe', call: () => p(audio, { task: 'transcribe', return_timestamps: false }) };
    }
    case 'ocr': {
      const img = await rgb(await ocrImage());
      const ocr = m.ocr!;
      const first = await ocr.recognize(img);
      return { label: 'OCR (PP-OCRv4, real weights)', input: `640×200 PNG, 3 printed lines (reads ${first.lines.length})`, call: () => ocr.recognize(img) };
    }
  }
}

async function timeModel(key: ModelKey, cfg: Config, log: Logger, runs: number, rows: Row[], section = '1 model layer'): Promise<void> {
  const spec = modelRegistry(cfg)[key];
  const t0 = performance.now();
  const m = await quiet(() => loadModel(spec, cfg, log));
  const total = performance.now() - t0;
  try {
    const prep = await prepare(key, m);
    await quiet(async () => {
      for (let i = 0; i < 2; i++) await prep.call();
    });
    const samples = await quiet(() => timeRuns(runs, prep.call));
    rows.push({
      section,
      what: `${prep.label} (${spec.model}, ${spec.dtype})`,
      how: `loadModel via registry, ORT ${cfg.ortThreads} threads; ${runs} sequential calls after warm-up; ${prep.input}`,
      value: `load ${ms(m.loadMs)} + warm-up ${ms(total - m.loadMs)} · ${p50p95(samples)}`,
    });
  } finally {
    await m.dispose();
  }
}

/** transformers.js warns on every Whisper call without a language; keep the table readable. */
async function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

/** §1: every tiny model, q8. */
export async function benchTinyModels(runs: number, log: Logger, rows: Row[]): Promise<void> {
  const cfg = modelCfg(TINY_DIR, 'q8');
  configureTransformers(cfg);
  for (const key of ['qa', 'summarizer', 'translator', 'vision', 'asr', 'ocr'] as const) await timeModel(key, cfg, log, runs, rows);
}

/** §1 (bench QA, q8 and fp32, pipeline vs. forward pass alone) and §2 (event-loop lag while it runs). */
export async function benchLargeQa(runs: number, log: Logger, rows: Row[]): Promise<void> {
  for (const dtype of ['q8', 'fp32'] as const) {
    const cfg = modelCfg(BENCH_DIR, dtype);
    configureTransformers(cfg);
    const spec = modelRegistry(cfg).qa;
    const t0 = performance.now();
    const m = await loadModel(spec, cfg, log);
    const total = performance.now() - t0;
    try {
      const p = m.pipe!;
      const { context, tokens } = fitContext(p.tokenizer, QA_TOKENS);
      const pipeline = () => p(QA_QUESTION, context, { top_k: 1 });
      const enc = p.tokenizer(QA_QUESTION, { text_pair: context });
      const forward = () => p.model(enc);
      const linear = () => answerWindow(p, QA_QUESTION, context, MAX_ANSWER_TOKENS);
      for (let i = 0; i < 2; i++) await pipeline();
      // Interleaved, so all series see the same machine load.
      const full: number[] = [];
      const fwd: number[] = [];
      const ours: number[] = [];
      for (let i = 0; i < runs; i++) {
        full.push(...(await timeRuns(1, pipeline)));
        fwd.push(...(await timeRuns(1, forward)));
        ours.push(...(await timeRuns(1, linear)));
      }
      const what = `bench QA (${spec.model} in models/bench, ${dtype})`;
      const how = `${tokens} tokens, ORT ${cfg.ortThreads} threads, ${runs} sequential calls`;
      rows.push({ section: '1 model layer', what: `${what}: pipeline call`, how: `${how}; tokenise + session.run + answer extraction`, value: `load ${ms(m.loadMs)} + warm-up ${ms(total - m.loadMs)} · ${p50p95(full)} (${(1000 / percentile(full, 50)).toFixed(1)} calls/s)` });
      rows.push({ section: '1 model layer', what: `${what}: forward pass alone`, how: `${how}; pipe.model(pre-tokenised inputs) = session.run`, value: `${p50p95(fwd)} → pipeline adds ${ms(percentile(full, 50) - percentile(fwd, 50))} at p50` });
      const ratio = (percentile(ours, 50) / percentile(fwd, 50)).toFixed(2);
      rows.push({ section: '1 model layer', what: `${what}: the worker's QA call (qa-span.ts)`, how: `${how}; tokenise + session.run + linear best span (≤ ${MAX_ANSWER_TOKENS} tokens)`, value: `${p50p95(ours)} → ${ratio}× the forward pass at p50 (goal ≤ 1.05×), pipeline ${(percentile(full, 50) / percentile(fwd, 50)).toFixed(2)}×` });
      if (dtype === 'q8') await eventLoopLag(pipeline, forward, rows);
    } finally {
      await m.dispose();
    }
  }
}

/** §2: a 10 ms setInterval in this process while 20 calls run back to back (and while idle, for reference). */
async function eventLoopLag(pipeline: Call, forward: Call, rows: Row[]): Promise<void> {
  const measure = async (fn: () => Promise<unknown>) => {
    const probe = lagProbe(10);
    const t0 = performance.now();
    await fn();
    const lags = probe.stop();
    const expected = Math.floor((performance.now() - t0) / 10);
    const verdict = lags.length < expected / 2 ? ' → loop blocked while each call runs (ticks fire only between calls)' : '';
    return `max ${ms(max(lags))} · p99 ${ms(percentile(lags, 99))} · p50 ${ms(percentile(lags, 50))} · ${lags.length} of ~${expected} ticks fired${verdict}`;
  };
  const back2back = (call: Call) => async () => {
    for (let i = 0; i < 20; i++) await call();
  };
  const idle = await measure(() => new Promise((r) => setTimeout(r, 1000)));
  const full = await measure(back2back(pipeline));
  const fwd = await measure(back2back(forward));
  const section = '2 event loop';
  const how = '10 ms setInterval in the same process; lag = how late each tick fired';
  rows.push({ section, what: 'timer lag, idle process (reference)', how: `${how}; 1 s idle`, value: idle });
  rows.push({ section, what: 'timer lag during 20 bench-QA pipeline calls (q8)', how: `${how}; calls back to back`, value: full });
  rows.push({ section, what: 'timer lag during 20 bench-QA forward passes (q8)', how: `${how}; session.run only`, value: fwd });
}
