/**
 * Fault suite (`npm run test:faults`): FAULT_JOBS_PER_TASK (500) jobs of every task through the fault
 * lab (test/helpers/lab.ts: own AOF redis-server, API process, FAULT_WORKERS supervised workers) while,
 * every FAULT_GAP_MS, one more fault strikes in turn: a worker killed with SIGKILL, a worker killed at each
 * point of a job's life, a worker stopped with SIGTERM, Redis hung (SIGSTOP), crashed and restarted from
 * its AOF, and full (noeviction), and the API stopped with SIGTERM and started again. Clients retry with
 * their Idempotency-Key across 503s and refused connections. Every acknowledged job must complete,
 * exactly once per key, and no client may see anything but 202 or a JSON 503/429. The figures go to the
 * log (and the README).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chaos, startLab, type Fault, type Lab } from '../helpers/lab.js';

const PER_TASK = Number(process.env.FAULT_JOBS_PER_TASK ?? 500);
const WORKERS = Number(process.env.FAULT_WORKERS ?? 2);
const GAP_MS = Number(process.env.FAULT_GAP_MS ?? 3000);
const ROUND: Fault[] = ['kill-worker', 'redis-hung', 'kill-points', 'redis-crash', 'kill-worker', 'redis-full', 'sigterm-worker', 'sigterm-api'];

let lab: Lab | undefined;
afterAll(async () => {
  await lab?.stop();
});

describe('chaos', () => {
  it(`${PER_TASK} jobs of every task under every fault: none lost, failed or answered twice`, async () => {
    lab = await startLab({ workers: WORKERS });
    // Enough rounds of faults to span the load: about 20 jobs a second get through between faults.
    const rounds = Math.max(1, Math.ceil((PER_TASK * 7) / 20 / ((ROUND.length * GAP_MS) / 1000)));
    const r = await chaos(lab, { perTask: PER_TASK, concurrency: 16, gapMs: GAP_MS, reckonMs: 900_000, faults: Array.from({ length: rounds }, () => ROUND).flat() });
    const count = (f: Fault) => r.faults.filter((x) => x.fault === f).length;
    console.log(
      `[faults] chaos: ${r.accepted} accepted, ${r.completed} completed, ${Object.values(r.failed).reduce((a, b) => a + b, 0)} failed ${JSON.stringify(r.failed)}, ` +
        `${r.lost.length} lost, ${r.duplicated} duplicated, ${r.bad.length} bad answers; refused ${JSON.stringify(r.refused)} (p50 ${r.refusedMs.p50} ms, p99 ${r.refusedMs.p99} ms); ` +
        `${r.connectionErrors} connection errors; faults: ${ROUND.filter((f, i) => ROUND.indexOf(f) === i).map((f) => `${f} ×${count(f)}`).join(', ')}; ` +
        `${r.restarts} worker restarts; ${r.seconds} s`,
    );
    console.log(`[faults] SIGTERM exits: ${r.faults.filter((f) => f.detail && !f.detail.startsWith('error')).map((f) => `${f.fault} ${f.detail}`).join('; ')}`);
    expect(r.faults.filter((f) => f.detail?.startsWith('error'))).toEqual([]);
    expect(r.bad).toEqual([]);
    expect(r.lostViews).toEqual([]);
    expect(r).toMatchObject({ accepted: PER_TASK * 7, completed: PER_TASK * 7, failed: {}, lost: [], duplicated: 0 });
  }, 3_600_000);
});
