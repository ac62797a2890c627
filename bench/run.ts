/**
 * `pnpm bench`: measured speed figures of this machine as one markdown table (stdout and
 * .artifacts/bench.md). Never asserted anywhere; see DESIGN §8 for the figures it is compared with.
 *
 *   pnpm bench [--runs 20] [--quick] [--skip-models] [--skip-service]
 *
 * Needs Redis (REDIS_URL, default redis://127.0.0.1:6379); scripts/bench.sh starts a private one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, REPO_ROOT } from '@ca/shared';
import { benchBatchBesideLive } from './batch.js';
import { benchLongContext, benchThroughput } from './throughput.js';
import { benchMediaBatches } from './media-batch.js';
import { benchFootprint } from './footprint.js';
import { benchServiceLarge, benchServiceTiny, type E2eOptions } from './e2e.js';
import { Cleanup, REDIS_URL } from './lib/service.js';
import { renderTable, type Row } from './lib/stats.js';
import { benchLargeQa, benchTinyModels, ensureModels } from './model-layer.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    quick: { type: 'boolean', default: false },
    'skip-models': { type: 'boolean', default: false },
    'skip-service': { type: 'boolean', default: false },
    /** Run only these sections, e.g. --only 1,7 (1-2 models, 3-5 service, 6 batch, 7 throughput, 8 Redis footprint, 9 media batches, 10 long context). */
    only: { type: 'string', default: '' },
  },
});
const runs = Math.max(1, Number(values.runs) || 20);
const e2e: E2eOptions = values.quick
  ? { sequential: 50, concurrency: 32, concurrentMs: 3000, cacheMs: 2000, benchCalls: 10 }
  : { sequential: 200, concurrency: 32, concurrentMs: 10_000, cacheMs: 5000, benchCalls: 20 };

const progress = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const log = createLogger('ca-bench', 'warn');
const rows: Row[] = [];
const cleanup = new Cleanup();
const started = Date.now();
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');
const loadAtStart = load();

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    progress(`${sig}: stopping workers and removing bench keys`);
    void cleanup.run(progress).finally(() => process.exit(130));
  });
}

let failure: unknown;
try {
  progress('models: checking the generated tiny and bench-size sets');
  await ensureModels(rows, progress);
  const only = new Set(values.only.split(',').filter(Boolean));
  const want = (...sections: string[]) => only.size === 0 || sections.some((x) => only.has(x));
  if (!values['skip-models'] && want('1', '2')) {
    progress(`§1 tiny models in-process, ${runs} calls each`);
    await benchTinyModels(runs, log, rows);
    progress('§1/§2 bench-size QA in-process (q8, fp32) and event-loop lag');
    await benchLargeQa(runs, log, rows);
  }
  if (!values['skip-service']) {
    if (want('3', '4', '5')) {
      progress(`§3/§4 service with the tiny profile (Redis ${REDIS_URL})`);
      await benchServiceTiny(e2e, cleanup, rows, progress);
      await benchServiceLarge(e2e, cleanup, rows, progress);
    }
    if (want('6')) {
      progress('§6 live calls beside a batch (bench-size QA)');
      await benchBatchBesideLive(e2e.benchCalls * 2, cleanup, rows, progress);
    }
    if (want('7')) await benchThroughput(values.quick ? 1 : 3, values.quick ? 4 : 8, cleanup, rows, progress);
    if (want('8')) await benchFootprint(values.quick ? 500 : 2000, cleanup, rows, progress);
    if (want('10')) await benchLongContext(values.quick ? 1 : 3, cleanup, rows, progress);
  }
  if (!values['skip-models'] && want('9')) await benchMediaBatches(values.quick ? 3 : 7, rows, progress);
} catch (e) {
  failure = e;
} finally {
  await cleanup.run(progress);
}
if (interrupted) await new Promise(() => {}); // the signal handler exits

const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
rows.push({
  section: 'machine',
  what: 'load average (1 / 5 / 15 min) at start → end',
  how: `${os.availableParallelism()} cores (${cpu}), Node ${process.version}; other processes on the machine skew every figure above`,
  value: `${loadAtStart} → ${load()}`,
});
const title = `## pnpm bench — ${new Date().toISOString()} — ${Math.round((Date.now() - started) / 1000)} s${failure ? ' (INCOMPLETE: failed)' : ''}`;
const table = `${title}\n\n${renderTable(rows)}\n`;
process.stdout.write(`\n${table}\n`);
const out = path.join(REPO_ROOT, '.artifacts/bench.md');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, table);
progress(`table written to ${path.relative(REPO_ROOT, out)}`);
if (failure) {
  console.error(failure);
  process.exit(1);
}
process.exit(0);
