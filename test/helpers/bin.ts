import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from '@ca/shared';

/** The script of an installed package's CLI (its package.json "bin"), to run with this node: no shell, no npx. */
export function binOf(pkg: string, name = pkg.split('/').pop()!): string {
  const manifest = createRequire(path.join(REPO_ROOT, 'package.json')).resolve(`${pkg}/package.json`);
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: string | Record<string, string> }).bin;
  const rel = typeof bin === 'string' ? bin : bin[name];
  if (!rel) throw new Error(`${pkg} has no bin named ${name}`);
  return path.join(path.dirname(manifest), rel);
}
