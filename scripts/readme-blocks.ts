// The README's generated blocks (configuration, error codes, upload formats), rendered afresh: written by
// `pnpm docs:generate`, compared with the README by test/compose/config-docs.test.ts.
import { loadConfig } from '../packages/shared/src/config.js';
import { replaceBlock, withGeneratedBlocks } from '../packages/shared/src/config-docs-render.js';
import { FORMATS_BEGIN, FORMATS_END, renderFormatsTable } from '../packages/media/src/formats-doc.js';

export function renderReadme(readme: string): string {
  const formats = renderFormatsTable(loadConfig({ ENV_FILE: '' })); // the defaults, not this machine's .env
  return replaceBlock(withGeneratedBlocks(readme), FORMATS_BEGIN, FORMATS_END, formats);
}
