// For scripts/start.sh: print `export KEY='value'` for each variable the .env file (ENV_FILE) adds to the
// environment, so that the script's own choices (Redis, model profile, port) see what the processes will
// see. The file is read by readEnvFile() itself (packages/shared/src/config.ts): one rule for both.
import path from 'node:path';
import { readEnvFile } from '../packages/shared/src/config.js';

const env = { ...process.env };
try {
  const file = readEnvFile(env);
  if (file) {
    const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
    for (const [k, v] of Object.entries(env)) {
      if (process.env[k] === undefined && v !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) console.log(`export ${k}=${quote(v)}`);
    }
    console.error(`\x1b[1;34m[customerassist]\x1b[0m read ${path.relative(process.cwd(), file) || file} (variables set in the environment win)`);
  }
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
