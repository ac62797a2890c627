/** .env.example and the README's generated tables are what `pnpm docs:generate` renders (schema, error catalogue, formats). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@ca/shared';
import { defaultOf, renderEnvExample } from '../../packages/shared/src/config-docs-render.js';
import { renderReadme } from '../../scripts/readme-blocks.js';

const read = (f: string) => readFileSync(path.join(REPO_ROOT, f), 'utf8');

describe('configuration docs', () => {
  it('.env.example is generated from the schema and CONFIG_SECTIONS (run pnpm docs:generate)', () => {
    expect(read('.env.example')).toBe(renderEnvExample());
  });

  it("the README's configuration, error and upload-format tables are too, one row per variable, code and upload task", () => {
    const readme = read('README.md');
    expect(readme).toBe(renderReadme(readme));
    expect(readme).toMatch(/\| `extract-text` \| [^|]*HEIC[^|]*PDF/);
    expect(readme).toContain('| `ADMIN_READ_ONLY` | `false` |');
    expect(readme).toContain('| `WEBHOOK_KEY_SECRETS` | unset |');
    expect(readme).toContain('| 503 | `no_worker` | yes |');
  });

  it('defaults are the schema\'s, as environment strings', () => {
    expect([defaultOf('PORT'), defaultOf('WORKER_DOMAINS'), defaultOf('ADMIN_READ_ONLY'), defaultOf('HF_TOKEN')]).toEqual(['8010', 'nlp,vision,audio', 'false', '']);
  });
});
