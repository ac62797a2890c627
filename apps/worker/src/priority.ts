import os from 'node:os';
import type { Logger } from '@ca/shared';

/**
 * Lower this thread's scheduling priority to `nice` before any other thread exists. On Linux a nice value
 * belongs to a thread and a new thread starts with its creator's: the inference threads, ONNX Runtime's
 * pools and libuv's all inherit it from here. Model calls are throughput work that can take every core;
 * the API and Redis on the same machine answer in microseconds when they get a core, and without this
 * they wait for the scheduler to take one from a model call: /healthz p99 under full QA load on 2 cores
 * was 6.6-9.7 ms at nice 0, 5.3-5.8 at 10 and 4.9 at 19, QA throughput the same (`pnpm bench` §7).
 * Lowering a priority needs no privileges. Processes in other cgroups (containers, pods) are not
 * affected: there the CPU split is the cgroups'.
 */
export function lowerPriority(nice: number, log: Logger): void {
  if (nice <= 0) return;
  try {
    if (os.getPriority() < nice) os.setPriority(nice);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not lower the worker priority');
  }
}
