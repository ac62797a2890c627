/**
 * The main-thread side of the inference thread: load models, run jobs, cancel them. If the thread dies,
 * its jobs fail as retryable (BullMQ tries them again) and a new thread is started with the same models.
 *
 * The thread is only ever ended by itself, on `close()`: it is never terminated from here, because
 * stopping a thread while it is inside onnxruntime-node aborts the whole process (threads/spawn.ts).
 */
import type { Worker } from 'node:worker_threads';
import { AppError, cancelledError, errorOf, type Config, type Domain, type Logger, within } from '@ca/shared';
import { siblingModule, spawnModuleThread } from '../threads/spawn.js';
import type { FromThread, LoadReply, RunProgress, RunReply, RunRequest, ToThread } from './protocol.js';

type Call = ToThread extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

export class InferenceThread {
  private thread!: Worker;
  private exited!: Promise<unknown>;
  private ready: Promise<unknown> = Promise.resolve();
  /** Runs waiting for the models, not yet sent to the thread (a cancel drops them here). */
  private readonly queued = new Set<number>();
  private readonly pending = new Map<number, Pending>();
  private readonly progress = new Map<number, (p: RunProgress) => void>();
  private nextId = 1;
  private loaded: LoadReply = { status: [], tasks: [], providers: [] };
  private closing = false;
  /** How many threads this object has started (the first and every restart). */
  starts = 0;

  constructor(
    private readonly cfg: Config,
    private readonly domains: Domain[],
    private readonly log: Logger,
  ) {}

  start(): Promise<LoadReply> {
    this.starts++;
    const thread = (this.thread = spawnModuleThread(siblingModule(import.meta.url, 'thread')));
    // Not events.once(): it rejects on the 'error' a crashing thread emits before its 'exit'.
    this.exited = new Promise((resolve) => thread.once('exit', resolve));
    thread.on('message', (m: FromThread) => this.onMessage(m));
    thread.on('error', (e) => this.log.error({ err: e.message }, 'inference thread error'));
    thread.on('exit', (code) => this.onExit(thread, code));
    const loaded = this.load();
    this.ready = loaded.catch(() => undefined);
    return loaded;
  }

  /** Settles when the current thread has loaded its models (after a restart too). */
  whenReady(): Promise<unknown> {
    return this.ready;
  }

  /** Try again to load the models that failed (those already loaded stay). */
  retryLoad(): Promise<LoadReply> {
    return this.load();
  }

  get status(): LoadReply {
    return this.loaded;
  }

  /** Runs a job once the thread's models are loaded: a job that arrives during a restart waits for them. */
  run(req: RunRequest, onProgress?: (p: RunProgress) => void): { id: number; done: Promise<RunReply> } {
    const transfer = req.upload ? [req.upload.buffer as ArrayBuffer] : [];
    const id = this.nextId++;
    this.queued.add(id);
    if (onProgress) this.progress.set(id, onProgress);
    const done = this.ready
      .then(() => {
        if (!this.queued.delete(id)) throw cancelledError();
        return this.send(id, { op: 'run', req }, transfer);
      })
      .finally(() => this.progress.delete(id));
    return { id, done: done as Promise<RunReply> };
  }

  cancel(id: number): void {
    if (!this.queued.delete(id)) this.post({ op: 'cancel', id });
  }

  /** Fault injection: make the thread throw an uncaught exception (honoured only with FAULT_INJECTION). */
  crashForTest(): void {
    this.post({ op: 'crash', id: 0 });
  }

  /**
   * Ask the thread to end: it refuses new runs, aborts the running ones when `abortRunning` (they end
   * as cancelled at their next step), waits for them, releases the models and exits. Resolves true once
   * it has exited, false if it is still inside a model call after `timeoutMs` (it cannot be stopped
   * safely then: the caller decides what to do with the process).
   */
  async close(opts: { abortRunning: boolean; timeoutMs: number }): Promise<boolean> {
    this.closing = true;
    this.post({ op: 'close', id: 0, abortRunning: opts.abortRunning });
    return within(this.exited, opts.timeoutMs);
  }

  private async load(): Promise<LoadReply> {
    this.loaded = (await this.call({ op: 'load', cfg: this.cfg, domains: this.domains })) as LoadReply;
    return this.loaded;
  }

  private post(m: ToThread, transfer: ArrayBuffer[] = []): void {
    this.thread.postMessage(m, transfer);
  }

  private call(m: Call): Promise<unknown> {
    return this.send(this.nextId++, m);
  }

  private send(id: number, m: Call, transfer: ArrayBuffer[] = []): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ ...m, id } as ToThread, transfer);
    });
  }

  private onMessage(m: FromThread): void {
    if (m.op === 'progress') {
      this.progress.get(m.id)?.(m.data);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(errorOf(m.failure));
  }

  private onExit(thread: Worker, code: number): void {
    if (thread !== this.thread) return;
    const err = new AppError(500, 'inference_thread_crashed', 'the inference thread stopped while running this job', { retryable: true });
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    if (this.closing) return;
    this.log.error({ code }, 'inference thread exited; starting a new one');
    this.start().catch((e: Error) => this.log.error({ err: e.message }, 'could not restart the inference thread'));
  }
}
