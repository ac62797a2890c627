/**
 * pnpm models:tiny [--size tiny|bench] [--out DIR] [--from-hub DIR] [--force] [--only qa,whisper]
 *   --size tiny   (default) six tiny models into models/tiny/ca-tiny/*
 *   --size bench  realistic-size qa/summarizer/whisper (default out models/bench)
 *   --from-hub    real-shape set from a reference hub folder (default out models/real-shape)
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateRealShapeModels } from './realshape.js';
import { generateTinyModels, TINY_MODEL_IDS, type TinyModelKey } from './generate.js';
import { REPO_ROOT } from './hub.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'tiny' },
    out: { type: 'string' },
    'from-hub': { type: 'string' },
    force: { type: 'boolean', default: false },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('usage: models:tiny [--size tiny|bench] [--out DIR] [--from-hub HUB_DIR] [--force] [--only a,b]');
  process.exit(0);
}
const log = (m: string) => console.log(`[model-gen] ${m}`);
const t0 = Date.now();
const only = values.only?.split(',').filter(Boolean);

if (values['from-hub']) {
  const r = await generateRealShapeModels({
    hubDir: resolve(values['from-hub']),
    out: values.out ?? resolve(REPO_ROOT, 'models/real-shape'),
    force: values.force,
    models: only,
    log,
  });
  log(`real-shape: ${r.models.length} models, ${(r.bytes / 1e6).toFixed(1)} MB in ${r.dir} (${Date.now() - t0} ms)`);
} else {
  const size = values.size;
  if (size !== 'tiny' && size !== 'bench') throw new Error(`--size must be tiny or bench, got ${size}`);
  for (const k of only ?? []) if (!(k in TINY_MODEL_IDS)) throw new Error(`unknown model ${k}`);
  const r = await generateTinyModels({
    size,
    out: values.out ?? resolve(REPO_ROOT, size === 'bench' ? 'models/bench' : 'models/tiny'),
    force: values.force,
    models: only as TinyModelKey[] | undefined,
    log,
  });
  log(`${size}: ${r.models.length} models, ${(r.bytes / 1e6).toFixed(1)} MB in ${r.dir} (${Date.now() - t0} ms)`);
}
