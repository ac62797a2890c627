/**
 * The API process under SIGTERM: synchronous calls waiting on their jobs are answered 202 with the job's
 * link (never reset), the jobs stay queued for the workers, /readyz says draining, and it exits 0.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { phantomWorker, startApi, type ApiHandle } from '../helpers/api.js';
import { testEnv, testPrefix } from '../helpers/env.js';
import { free } from '../helpers/ports.js';
import { get, post } from '../helpers/http.js';
import { startApiProcess, waitFor, type WorkerHandle } from '../helpers/processes.js';

let reader: ApiHandle | undefined;
let proc: WorkerHandle | undefined;
afterAll(async () => {
  await proc?.stop('SIGKILL');
  await reader?.close();
});

describe('API shutdown', () => {
  it('SIGTERM answers the waiting synchronous calls 202 with their job, then exits 0; the jobs stay queued', async () => {
    const env = testEnv(testPrefix('api-term'), { SYNC_TIMEOUT_MS: '60000' });
    // A second API in this process to read what the first left behind, and a worker that never consumes.
    reader = await startApi(env);
    await phantomWorker(reader, 'nlp');
    const port = await free();
    proc = startApiProcess({ ...env, PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await get(url, '/healthz')).status === 200, 60_000, 'API up');
    const calls = Array.from({ length: 5 }, (_, i) => post(url, '/question-answering', { context: `Refunds take ${i + 2} days.`, question: 'How long?' }));
    await waitFor(async () => ((await reader!.deps.jobs.queues.nlp.getWaitingCount()) >= 5 ? true : undefined), 30_000, 'five jobs queued');
    const exit = proc.stop('SIGTERM');
    const answers = await Promise.all(calls);
    for (const r of answers) {
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      expect(r.headers.get('location')).toBe(`/jobs/${r.body.id}`);
    }
    expect(await exit).toBe(0);
    for (const r of answers) expect((await get(reader.url, `/jobs/${r.body.id}`)).body.status).toBe('queued');
  });
});
