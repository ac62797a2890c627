// For scripts/start.sh: print `export KEY='value'` for each variable of the .env file (ENV_FILE, relative to
// the working directory, empty = none; else .env at the repository root) that the environment does not set,
// so that the script's own choices (Redis, model profile, port) see what the processes will see. The same
// rule as readEnvFile() in packages/shared/src/config.ts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.env.ENV_FILE !== undefined ? process.env.ENV_FILE && path.resolve(process.env.ENV_FILE) : path.join(root, '.env');
if (file && existsSync(file)) {
  const vars = parseEnv(readFileSync(file, 'utf8'));
  const quote = (v) => `'${v.replaceAll("'", "'\\''")}'`;
  for (const [k, v] of Object.entries(vars)) {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && process.env[k] === undefined) console.log(`export ${k}=${quote(v)}`);
  }
  console.error(`\x1b[1;34m[customerassist]\x1b[0m read ${path.relative(process.cwd(), file) || file} (variables set in the environment win)`);
}
