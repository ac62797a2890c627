/**
 * The fast subset of the fault suite (the whole of it: `npm run test:faults`, test/faults/). A lab of
 * its own (redis-server with AOF, the API as a process, supervised worker processes, see
 * test/helpers/lab.ts): a worker killed with SIGKILL at each point of a job's life, then a short run of
 * every task under every kind of fault. No acknowledged job may be lost, fail or be answered twice, and
 * no client may see anything but 202 or a JSON 503/429 it can retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KILL_POINTS } from '../../apps/worker/src/faults.js';
import { chaos, drive, killAt, newLedger, reckon, startLab, type Lab } from '../helpers/lab.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ workers: 1 });
}, 180_000);
afterAll(async () => {
  await lab?.stop();
});

describe('faults (fast subset)', () => {
  it.each(KILL_POINTS)('a worker killed at "%s" loses, fails and repeats no job of any task', async (point) => {
    const before = lab.restarts;
    await killAt(lab, point, 1);
    const ledger = newLedger();
    await drive(lab, ledger, { perTask: 2, concurrency: 4 });
    const r = await reckon(lab, ledger, 90_000);
    console.log(`[faults] kill at ${point}: ${JSON.stringify({ ...r, lost: r.lost.length, restarts: lab.restarts - before })}`);
    expect(lab.restarts - before).toBe(1); // it did die there, once
    expect(r).toMatchObject({ accepted: 14, completed: 14, failed: {}, lost: [], duplicated: 0 });
    expect(ledger.bad).toEqual([]);
  }, 150_000);

  it('every task under worker kills and SIGTERMs, a hung, a crashed and a full Redis, and an API SIGTERM', async () => {
    const r = await chaos(lab, {
      perTask: 8,
      concurrency: 8,
      gapMs: 2000,
      faults: ['redis-hung', 'kill-worker', 'redis-crash', 'redis-full', 'sigterm-api', 'sigterm-worker', 'kill-points'],
    });
    console.log(`[faults] chaos: ${JSON.stringify({ ...r, lost: r.lost.length })}`);
    expect(r.faults.map((f) => f.fault)).toHaveLength(7);
    expect(r.faults.filter((f) => f.detail?.startsWith('error'))).toEqual([]);
    expect(r.bad).toEqual([]);
    expect(r).toMatchObject({ accepted: 56, completed: 56, failed: {}, lost: [], duplicated: 0 });
  }, 300_000);
});
