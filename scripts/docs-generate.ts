// `pnpm docs:generate`: write .env.example and the README's configuration and error tables from
// packages/shared/src/config-docs.ts, the schema's defaults and packages/shared/src/error-codes.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../packages/shared/src/config.js';
import { renderEnvExample, withGeneratedBlocks } from '../packages/shared/src/config-docs-render.js';

writeFileSync(path.join(REPO_ROOT, '.env.example'), renderEnvExample());
const readme = path.join(REPO_ROOT, 'README.md');
writeFileSync(readme, withGeneratedBlocks(readFileSync(readme, 'utf8')));
console.log('wrote .env.example and the README configuration and error tables');
