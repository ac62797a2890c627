/**
 * The whole code base type-checks (tsc --noEmit over tsconfig.json): among other things, an AppError
 * with a code that is not in the error catalogue (packages/shared/src/error-codes.ts) does not compile,
 * and neither does a configuration variable without its documentation (config-docs.ts).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@ca/shared';

describe('typecheck', () => {
  it('tsc --noEmit finds no error', () => {
    const tsc = path.join(path.dirname(createRequire(path.join(REPO_ROOT, 'package.json')).resolve('typescript/package.json')), 'bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit', '--pretty', 'false'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 170_000 });
    expect(r.stdout.split('\n').filter(Boolean).slice(0, 20)).toEqual([]);
    expect(r.status).toBe(0);
  }, 180_000);
});
