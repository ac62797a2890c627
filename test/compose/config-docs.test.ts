/** .env.example and the README's configuration tables are what `pnpm docs:generate` renders from the schema. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@ca/shared';
import { defaultOf, renderEnvExample, withGeneratedBlocks } from '../../packages/shared/src/config-docs-render.js';

const read = (f: string) => readFileSync(path.join(REPO_ROOT, f), 'utf8');

describe('configuration docs', () => {
  it('.env.example is generated from the schema and CONFIG_SECTIONS (run pnpm docs:generate)', () => {
    expect(read('.env.example')).toBe(renderEnvExample());
  });

  it("the README's configuration and error tables are too, one row per variable and per code", () => {
    const readme = read('README.md');
    expect(readme).toBe(withGeneratedBlocks(readme));
    expect(readme).toContain('| `ADMIN_READ_ONLY` | `false` |');
    expect(readme).toContain('| `WEBHOOK_KEY_SECRETS` | unset |');
    expect(readme).toContain('| 503 | `no_worker` | yes |');
  });

  it('defaults are the schema\'s, as environment strings', () => {
    expect([defaultOf('PORT'), defaultOf('WORKER_DOMAINS'), defaultOf('ADMIN_READ_ONLY'), defaultOf('HF_TOKEN')]).toEqual(['8010', 'nlp,vision,audio', 'false', '']);
  });
});
