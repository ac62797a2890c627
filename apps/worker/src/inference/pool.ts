/**
 * Several inference threads in one worker process, each with its own copy of the models and its own
 * ONNX Runtime pool. Why: one model call holds its thread until it returns, and ONNX Runtime's second
 * intra-op thread adds ~7 % at q8 while spinning a whole core; two threads of one intra-op thread each
 * ran QA 1.44× faster than one thread of two on 2 cores (issue 14's measurements). The cost is one
 * more copy of the models per thread (DESIGN §8 gives the sizes). Jobs go to the thread with the fewest
 * running; each thread still takes its model calls in turns (turns.ts), live first.
 *
 * The pool has the interface of one InferenceThread, so the processor and the composition root do not
 * know how many there are. A task counts as loaded only when every thread has loaded its models.
 */
import type { Config, Domain, Logger, ModelStatus, TaskName } from '@ca/shared';
import { InferenceThread } from './client.js';
import type { LoadReply, RunProgress, RunReply, RunRequest } from './protocol.js';

export class InferencePool {
  private readonly threads: InferenceThread[];
  private readonly running: number[];
  /** Pool run id → the thread it went to and that thread's own id (for cancel). */
  private readonly runs = new Map<number, { thread: number; id: number }>();
  private nextId = 1;

  constructor(cfg: Config, domains: Domain[], log: Logger, size = cfg.inferenceThreads) {
    this.threads = Array.from({ length: size }, (_, i) => new InferenceThread(cfg, domains, size > 1 ? log.child({ inference_thread: i }) : log));
    this.running = this.threads.map(() => 0);
  }

  get size(): number {
    return this.threads.length;
  }

  /** Jobs running (or waiting for their turn) on each thread. */
  get busy(): readonly number[] {
    return [...this.running];
  }

  async start(): Promise<LoadReply> {
    await Promise.all(this.threads.map((t) => t.start()));
    return this.status;
  }

  whenReady(): Promise<unknown> {
    return Promise.all(this.threads.map((t) => t.whenReady()));
  }

  async retryLoad(): Promise<LoadReply> {
    await Promise.all(this.threads.map((t) => t.retryLoad()));
    return this.status;
  }

  /** The threads' load results as one: tasks every thread serves, a model's error from any thread. */
  get status(): LoadReply {
    const all = this.threads.map((t) => t.status);
    const first = all[0]!;
    const tasks = first.tasks.filter((task: TaskName) => all.every((s) => s.tasks.includes(task)));
    const status = first.status.map((s): ModelStatus => all.map((a) => a.status.find((x) => x.key === s.key)).find((x) => x?.error) ?? s);
    return { ...first, tasks, status, providers: [...new Set(all.flatMap((s) => s.providers))] };
  }

  /** Total threads started, restarts included. */
  get starts(): number {
    return this.threads.reduce((n, t) => n + t.starts, 0);
  }

  run(req: RunRequest, onProgress?: (p: RunProgress) => void): { id: number; done: Promise<RunReply> } {
    let pick = 0;
    for (let i = 1; i < this.threads.length; i++) if (this.running[i]! < this.running[pick]!) pick = i;
    this.running[pick]!++;
    const r = this.threads[pick]!.run(req, onProgress);
    const id = this.nextId++;
    this.runs.set(id, { thread: pick, id: r.id });
    const done = r.done.finally(() => {
      this.running[pick]!--;
      this.runs.delete(id);
    });
    return { id, done };
  }

  cancel(id: number): void {
    const r = this.runs.get(id);
    if (r) this.threads[r.thread]!.cancel(r.id);
  }

  /** Fault injection: crash every thread (honoured only with FAULT_INJECTION). */
  crashForTest(): void {
    for (const t of this.threads) t.crashForTest();
  }

  /** Close every thread; true when all have exited within `timeoutMs`. */
  async close(opts: { abortRunning: boolean; timeoutMs: number }): Promise<boolean> {
    return (await Promise.all(this.threads.map((t) => t.close(opts)))).every(Boolean);
  }
}
