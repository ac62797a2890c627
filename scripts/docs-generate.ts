// `pnpm docs:generate`: write .env.example and the README's configuration, error and upload-format tables
// from packages/shared/src/config-docs.ts, the schema's defaults, packages/shared/src/error-codes.ts and
// packages/media/src/sniff.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../packages/shared/src/config.js';
import { renderEnvExample } from '../packages/shared/src/config-docs-render.js';
import { renderReadme } from './readme-blocks.js';

writeFileSync(path.join(REPO_ROOT, '.env.example'), renderEnvExample());
const readme = path.join(REPO_ROOT, 'README.md');
writeFileSync(readme, renderReadme(readFileSync(readme, 'utf8')));
console.log('wrote .env.example and the README configuration, error and upload-format tables');
