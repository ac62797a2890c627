/**
 * The inference thread's whole life, many times in one process, with real models loaded (the tiny nlp
 * models, CLIP and the real PP-OCRv4 weights) and a real OCR job running when it ends: a crash (an
 * uncaught exception in the thread, as a bug would throw) followed by the automatic restart, and a
 * close(). Stopping a thread that holds onnxruntime from outside aborts the process (threads/spawn.ts);
 * if any of these ends did that, this test file's process would die and the run would fail.
 */
import { describe, expect, it } from 'vitest';
import { createLogger, isAppError, loadConfig } from '@ca/shared';
import { InferenceThread } from '../src/inference/client.js';
import { testEnv } from '../../../test/helpers/env.js';
import { textImage } from '../../../test/helpers/media.js';

const cfg = loadConfig({ ...testEnv('{t-thread}'), WORKER_DOMAINS: 'nlp,vision', FAULT_INJECTION: 'true' });
const log = createLogger('test', 'silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LINES = ['ORDER #A1B2-77810', 'TOTAL 45.67', 'SERIAL SN-4471-XQ', 'RETURN BY 2026-12-31', 'THANK YOU FOR SHOPPING'];

async function ocrJob(t: InferenceThread, png: Buffer) {
  return t.run({ task: 'extract-text', input: {}, upload: new Uint8Array(png), requestId: 'lifecycle', priority: 0 });
}

describe('inference thread lifecycle', () => {
  it('crashes and restarts, and closes, 20 times with models loaded, without aborting the process', async () => {
    const png = await textImage(LINES, { width: 900, fontSize: 30 });
    let ends = 0;
    for (let round = 0; round < 10; round++) {
      const t = new InferenceThread(cfg, ['nlp', 'vision'], log);
      const loaded = await t.start();
      expect(loaded.tasks).toEqual(['question-answering', 'summarize-text', 'translate-text', 'check-item-return-eligibility', 'extract-text']);

      // 1. A crash while an OCR job runs: the job fails as retryable, a new thread loads the same models.
      const running = await ocrJob(t, png);
      await sleep(30);
      t.crashForTest();
      const err = await running.done.then(() => undefined, (e: unknown) => e);
      expect(isAppError(err) && err.code).toBe('inference_thread_crashed');
      expect(isAppError(err) && err.retryable).toBe(true);
      ends++;
      await expect.poll(() => t.starts, { timeout: 30_000 }).toBe(2);
      await t.whenReady();
      expect(t.status.tasks).toEqual(loaded.tasks);
      const again = await (await ocrJob(t, png)).done;
      expect((again.value as { text: string }).text).toContain('45.67');

      // 2. close() while a job runs: the job settles (done or cancelled) and the thread exits by itself.
      const last = (await ocrJob(t, png)).done.then(
        () => 'completed',
        (e: unknown) => (isAppError(e) ? e.code : String(e)),
      );
      await sleep(30);
      expect(await t.close({ abortRunning: true, timeoutMs: 30_000 })).toBe(true);
      expect(['completed', 'cancelled']).toContain(await last);
      ends++;
    }
    expect(ends).toBe(20);
  }, 300_000);
});
