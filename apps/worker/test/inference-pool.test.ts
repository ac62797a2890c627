/**
 * Several inference threads behind one interface: jobs spread over the threads, a task is loaded only
 * when every thread has it, a crash restarts every thread, close ends them all. With the tiny nlp models.
 */
import { describe, expect, it } from 'vitest';
import { createLogger, isAppError, loadConfig } from '@ca/shared';
import { InferencePool } from '../src/inference/pool.js';
import { testEnv } from '../../../test/helpers/env.js';

const cfg = loadConfig({ ...testEnv('{t-pool}'), WORKER_DOMAINS: 'nlp', WORKER_INFERENCE_THREADS: '2', FAULT_INJECTION: 'true' });
const log = createLogger('test', 'silent');
const CONTEXT = 'Customers may return items within 30 days. Refunds reach the original card in five business days.';
const qa = (pool: InferencePool, n: number) =>
  pool.run({ task: 'question-answering', input: { context: `${CONTEXT} (${n})`, question: 'When do refunds arrive?' }, requestId: `pool-${n}`, priority: 0 });

describe('inference pool', () => {
  it('takes its size from the config, spreads jobs over its threads and answers them all', async () => {
    expect(cfg.inferenceThreads).toBe(2);
    expect(cfg.workerConcurrency).toBe(2); // one live slot per thread
    const pool = new InferencePool(cfg, ['nlp'], log);
    try {
      const loaded = await pool.start();
      expect(loaded.tasks).toEqual(['question-answering', 'summarize-text', 'translate-text']);
      expect(pool.size).toBe(2);
      const runs = [qa(pool, 1), qa(pool, 2), qa(pool, 3), qa(pool, 4)];
      expect(pool.busy).toEqual([2, 2]);
      const out = await Promise.all(runs.map((r) => r.done));
      for (const o of out) expect((o.value as { answer: string }).answer.length).toBeGreaterThan(0);
      expect(pool.busy).toEqual([0, 0]);
    } finally {
      expect(await pool.close({ abortRunning: true, timeoutMs: 30_000 })).toBe(true);
    }
  });

  it('a crash fails the running jobs as retryable and restarts every thread; cancel reaches the right thread', async () => {
    const pool = new InferencePool(cfg, ['nlp'], log);
    try {
      await pool.start();
      const a = qa(pool, 5);
      const b = qa(pool, 6);
      pool.crashForTest();
      // Both outcomes are taken at once: the threads die in either order, and a rejection nobody is
      // waiting for yet would be unhandled.
      for (const err of await Promise.all([a, b].map((r) => r.done.then(() => undefined, (e: unknown) => e)))) {
        // A job may have finished before the crash reached its thread; one that did not is retryable.
        if (err !== undefined) expect(isAppError(err) && err.code).toBe('inference_thread_crashed');
      }
      await expect.poll(() => pool.starts, { timeout: 30_000 }).toBe(4);
      await pool.whenReady();
      expect(pool.status.tasks).toContain('question-answering');
      const c = qa(pool, 7);
      pool.cancel(c.id);
      const cancelled = await c.done.then(() => 'completed', (e: unknown) => (isAppError(e) ? e.code : String(e)));
      expect(['completed', 'cancelled']).toContain(cancelled);
      expect(((await qa(pool, 8).done).value as { answer: string }).answer.length).toBeGreaterThan(0);
    } finally {
      expect(await pool.close({ abortRunning: true, timeoutMs: 30_000 })).toBe(true);
    }
  });
});
