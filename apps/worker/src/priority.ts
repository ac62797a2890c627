import os from 'node:os';
import type { Logger } from '@ca/shared';

/**
 * Lower the calling thread's scheduling priority to `nice`. On Linux a nice value belongs to a thread, and
 * a thread starts with its creator's: an inference thread calls this before it creates a session, so
 * ONNX Runtime's pools inherit it. Model calls are throughput work that can take every core; the API and
 * Redis on the same machine answer in microseconds once they get one, and otherwise wait for the
 * scheduler to take it from a model call: /healthz p99 under full QA load on 2 cores was 7.1-8.7 ms at
 * nice 0, 5.8-6.0 at 10 and 4.7-5.1 at 19, QA throughput the same (`pnpm bench` §7). The worker's main
 * thread keeps its priority: it moves jobs in and out of Redis, latency work, and at nice 19 it waited
 * behind the API, costing the cheapest jobs a quarter of their throughput (§3); with only the inference
 * threads at 19 they lose about a tenth, and only while the API and its clients saturate the cores. Lowering a priority needs no
 * privileges. Processes in other cgroups (containers, pods) are not affected: there the CPU split is the
 * cgroups'.
 */
export function lowerPriority(nice: number, log: Logger): void {
  if (nice <= 0) return;
  try {
    if (os.getPriority() < nice) os.setPriority(nice);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not lower the worker priority');
  }
}
