/**
 * The main-thread side of the inference thread: load models, run jobs, cancel them, and answer the
 * thread's requests to run a chained task (which needs Redis, so it happens here). If the thread dies,
 * its jobs fail as retryable (BullMQ tries them again) and a new thread is started with the same models.
 */
import type { Worker } from 'node:worker_threads';
import { AppError, errorOf, failureOf, type Config, type Domain, type Logger, type TaskName } from '@ca/shared';
import { siblingModule, spawnModuleThread } from '../threads/spawn.js';
import type { FromThread, LoadReply, RunReply, RunRequest, ToThread } from './protocol.js';

type RunTask = (task: TaskName, input: unknown, requestId: string) => Promise<unknown>;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

export class InferenceThread {
  private thread!: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private loaded: LoadReply = { status: [], ready: [], providers: [] };
  private closing = false;

  constructor(
    private readonly cfg: Config,
    private readonly domains: Domain[],
    private readonly log: Logger,
    private readonly runTask: RunTask,
  ) {}

  async start(): Promise<LoadReply> {
    this.thread = spawnModuleThread(siblingModule(import.meta.url, 'thread'));
    this.thread.on('message', (m: FromThread) => this.onMessage(m));
    this.thread.on('error', (e) => this.log.error({ err: e.message }, 'inference thread error'));
    this.thread.on('exit', (code) => this.onExit(code));
    this.loaded = (await this.call({ op: 'load', id: 0, cfg: this.cfg, domains: this.domains })) as LoadReply;
    return this.loaded;
  }

  /** Try again to load the models that failed (those already loaded stay). */
  async retryLoad(): Promise<LoadReply> {
    this.loaded = (await this.call({ op: 'load', id: 0, cfg: this.cfg, domains: this.domains })) as LoadReply;
    return this.loaded;
  }

  get status(): LoadReply {
    return this.loaded;
  }

  run(req: RunRequest): { id: number; done: Promise<RunReply> } {
    const id = this.nextId;
    const transfer = req.upload ? [req.upload.bytes.buffer as ArrayBuffer] : [];
    return { id, done: this.call({ op: 'run', id: 0, req }, transfer) as Promise<RunReply> };
  }

  cancel(id: number): void {
    this.thread.postMessage({ op: 'cancel', id } satisfies ToThread);
  }

  async dispose(): Promise<void> {
    this.closing = true;
    await this.call({ op: 'dispose', id: 0 }).catch(() => undefined);
    await this.thread.terminate();
  }

  private call(m: ToThread, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.thread.postMessage({ ...m, id }, transfer);
    });
  }

  private onMessage(m: FromThread): void {
    if (m.op === 'runTask') {
      this.runTask(m.task, m.input, m.requestId).then(
        (value) => this.thread.postMessage({ op: 'taskReply', id: m.id, ok: true, value } satisfies ToThread),
        (e: unknown) => this.thread.postMessage({ op: 'taskReply', id: m.id, ok: false, failure: failureOf(e) } satisfies ToThread),
      );
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(errorOf(m.failure));
  }

  private onExit(code: number): void {
    const err = new AppError(500, 'inference_thread_crashed', 'the inference thread stopped while running this job', { retryable: true });
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    if (this.closing) return;
    this.log.error({ code }, 'inference thread exited; starting a new one');
    this.start().catch((e: Error) => this.log.error({ err: e.message }, 'could not restart the inference thread'));
  }
}
