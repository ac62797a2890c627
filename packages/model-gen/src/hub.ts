/**
 * Locating the reference hub folder (real tokenizer/config files of the Xenova exports, no weights).
 * In this workplace it sits in shared/ next to the repository checkout.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** packages/model-gen/src -> repository root */
export const REPO_ROOT = resolve(here, '../../..');

export function findHubDir(explicit?: string): string | undefined {
  const candidates = [
    explicit,
    process.env.CA_REFERENCE_HUB,
    join(REPO_ROOT, '../shared/reference-models/hub'),
    join(REPO_ROOT, 'shared/reference-models/hub'),
    '/work/shared/reference-models/hub',
  ];
  return candidates.find((c): c is string => !!c && existsSync(join(c, 'Xenova')));
}
