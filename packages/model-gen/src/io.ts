/**
 * File helpers: JSON files, fp32 + q8 ONNX pairs, skip-if-unchanged stamps.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from './onnx/builder.js';
import { Rng, hashSeed } from './rng.js';

/** Bump when the output format changes in a way the source hash would not catch. */
export const GENERATOR_VERSION = 1;
const STAMP = '.model-gen.json';

export function writeJson(dir: string, file: string, value: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), JSON.stringify(value, null, 2) + '\n');
}

export function copyFiles(srcDir: string, dstDir: string, files: string[]): void {
  mkdirSync(dstDir, { recursive: true });
  for (const f of files) if (existsSync(join(srcDir, f))) copyFileSync(join(srcDir, f), join(dstDir, f));
}

/**
 * Writes onnx/<base>.onnx (fp32) and onnx/<base>_quantized.onnx (int8 weights + DequantizeLinear)
 * from the same seed, so both files hold the same (up to rounding) random model.
 */
export function writeOnnxPair(dir: string, base: string, seedKey: string, build: (g: GraphBuilder) => void): void {
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const [quantize, suffix] of [
    [false, ''],
    [true, '_quantized'],
  ] as const) {
    const g = new GraphBuilder(new Rng(hashSeed(seedKey)), quantize);
    build(g);
    writeFileSync(join(dir, 'onnx', `${base}${suffix}.onnx`), g.toModelBytes(base));
  }
}

/** Hash of this package's generator sources: editing the generator invalidates old outputs. */
function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.ts')) h.update(f).update(readFileSync(p));
    }
  };
  walk(dirname(fileURLToPath(import.meta.url)));
  return h.digest('hex');
}

let cachedSourceHash: string | undefined;

export function optionsHash(options: unknown): string {
  cachedSourceHash ??= sourceHash();
  return createHash('sha256')
    .update(JSON.stringify({ v: GENERATOR_VERSION, src: cachedSourceHash, options }))
    .digest('hex')
    .slice(0, 16);
}

export function isFresh(dir: string, hash: string): boolean {
  try {
    return JSON.parse(readFileSync(join(dir, STAMP), 'utf8')).hash === hash;
  } catch {
    return false;
  }
}

export function writeStamp(dir: string, hash: string, options: unknown): void {
  writeJson(dir, STAMP, { generator: '@ca/model-gen', version: GENERATOR_VERSION, hash, options });
}

/**
 * Write one model folder unless its stamp says it is current. The stamp is written last, so a run that
 * was interrupted leaves a folder that the next run regenerates.
 */
export function generateIfStale(
  modelDir: string,
  id: string,
  stamp: { hash: string; options: unknown },
  o: { force?: boolean; log: (line: string) => void },
  write: () => void,
): void {
  if (!o.force && isFresh(modelDir, stamp.hash)) {
    o.log(`${id}: up to date`);
    return;
  }
  const t0 = Date.now();
  rmSync(modelDir, { recursive: true, force: true });
  write();
  writeStamp(modelDir, stamp.hash, stamp.options);
  o.log(`${id}: generated in ${Date.now() - t0} ms, ${dirBytes(modelDir)} bytes`);
}

export function dirBytes(dir: string): number {
  let total = 0;
  if (!existsSync(dir)) return 0;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const s = statSync(p);
    total += s.isDirectory() ? dirBytes(p) : s.size;
  }
  return total;
}
