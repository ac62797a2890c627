/**
 * Fault suite: admission under 50 concurrent submitters of uploads (the widest window between the check
 * and the add), against the API as its own process with MAX_QUEUED_JOBS=30 and a queue nobody consumes.
 * Exactly 30 jobs wait whatever the concurrency, and a refusal takes milliseconds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/http.js';
import { form, wav } from '../helpers/media.js';
import { percentile, phantom, startLab, type Lab } from '../helpers/lab.js';

const SUBMITTERS = Number(process.env.FAULT_ADMISSION_SUBMITTERS ?? 50);
const PER_SUBMITTER = Number(process.env.FAULT_ADMISSION_REQUESTS ?? 40);
let lab: Lab | undefined;
afterAll(async () => {
  await lab?.stop();
});

describe('admission', () => {
  it(`is exact under ${SUBMITTERS} concurrent submitters, and a 503 takes milliseconds`, async () => {
    lab = await startLab({ workers: 0, env: { MAX_QUEUED_JOBS: '30' } });
    await phantom(lab, 'audio');
    const voice = wav({ seconds: 4 });
    const accepted: string[] = [];
    const refused: number[] = [];
    const other: number[] = [];
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async () => {
        for (let i = 0; i < PER_SUBMITTER; i++) {
          const t0 = performance.now();
          const r = await call(lab!.url, 'POST', '/jobs/audio-transcribe', form(voice, 'v.wav'));
          if (r.status === 202) accepted.push(r.body.id);
          else if (r.status === 503 && r.body.error.code === 'queue_full') refused.push(performance.now() - t0);
          else other.push(r.status);
        }
      }),
    );
    const waiting = await lab.admin.llen(`${lab.prefix}:audio:wait`);
    console.log(
      `[faults] admission: ${SUBMITTERS * PER_SUBMITTER} submits, ${accepted.length} accepted, ${waiting} waiting, ${refused.length} queue_full ` +
        `(p50 ${percentile(refused, 50)} ms, p99 ${percentile(refused, 99)} ms), ${other.length} other`,
    );
    expect(other).toEqual([]);
    expect(accepted).toHaveLength(30);
    expect(waiting).toBe(30);
  }, 600_000);
});
