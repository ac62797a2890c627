// `pnpm docs:config`: write .env.example and the README's configuration tables from
// packages/shared/src/config-docs.ts and the schema's defaults.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../packages/shared/src/config.js';
import { renderEnvExample, withConfigTables } from '../packages/shared/src/config-docs-render.js';

writeFileSync(path.join(REPO_ROOT, '.env.example'), renderEnvExample());
const readme = path.join(REPO_ROOT, 'README.md');
writeFileSync(readme, withConfigTables(readFileSync(readme, 'utf8')));
console.log('wrote .env.example and the README configuration tables');
