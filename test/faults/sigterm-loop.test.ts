/**
 * Fault suite (`npm run test:faults`, not part of `npm test`): a worker with all three domains loaded is
 * stopped with SIGTERM 20 times in a row, half of the times while a job runs past the drain timeout
 * (the job is handed back), half while it drains the job to the end, and the rest idle. Every stop
 * must exit 0 without a native abort, and every accepted job must complete.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { form, wav } from '../helpers/media.js';
import { get, pollJob, post } from '../helpers/http.js';
import { startWorker, waitFor, type WorkerHandle } from '../helpers/processes.js';

const ROUNDS = Number(process.env.FAULT_ROUNDS ?? 20);
const workers: WorkerHandle[] = [];
let api: ApiHandle | undefined;
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await api?.close();
});

describe('SIGTERM, again and again', () => {
  it(`exits 0 in ${ROUNDS} of ${ROUNDS} stops and loses no job`, async () => {
    const prefix = testPrefix('sigterm-loop');
    api = await startApi(testEnv(prefix));
    const ids: string[] = [];
    const codes: (number | null)[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const kind = (['handback', 'drain', 'idle'] as const)[round % 3];
      const w = startWorker(testEnv(prefix, { JOB_LOCK_MS: '2000', SHUTDOWN_TIMEOUT_MS: kind === 'handback' ? '200' : '60000' }));
      workers.push(w);
      await waitFor(async () => (await get(api!.url, '/readyz')).status === 200, 120_000, 'all domains ready');
      if (kind !== 'idle') {
        const id = (await post(api.url, '/jobs/audio-transcribe', form(wav({ seconds: 60, sampleRate: 8000 }), 'voice.wav'))).body.id as string;
        ids.push(id);
        await waitFor(async () => (await get(api!.url, `/jobs/${id}`)).body.status === 'active', 60_000, 'the job active');
      }
      const code = await w.stop('SIGTERM');
      codes.push(code);
      expect(w.output(), `round ${round} (${kind})`).not.toMatch(/terminate called|Napi::Error|Aborted/);
      expect(code, `round ${round} (${kind}): exit code ${code} signal ${w.proc.signalCode}\n${w.output().slice(-3000)}`).toBe(0);
    }
    console.log(`[faults] SIGTERM exit codes: ${codes.join(' ')}`);
    workers.push(startWorker(testEnv(prefix)));
    for (const id of ids) expect((await pollJob(api.url, id, 120_000)).status).toBe('completed');
  }, 1_800_000);
});
