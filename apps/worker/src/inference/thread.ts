/**
 * The inference thread of a worker process. onnxruntime-node runs a session synchronously on the
 * calling JS thread, and so do the WASM audio decoders; everything heavy a job does therefore happens
 * here — media decoding, the handler, every model call — so that the process's main thread stays free
 * to renew BullMQ locks, heartbeat and answer /metrics.
 *
 * The thread ends only itself ('close'), from its own JS between two model calls: stopping it from
 * outside while a model call runs aborts the whole process (threads/spawn.ts says why).
 */
import { parentPort } from 'node:worker_threads';
import { decodeUpload } from '@ca/media';
import { AppError, cancelledError, captureConsole, createLogger, failureOf, isAppError, TASKS, type Config, type TaskName } from '@ca/shared';
import { HANDLERS } from '../handlers/index.js';
import type { HandlerContext, InferenceReport, MediaInput } from '../handlers/types.js';
import { Continuation } from '../handlers/continuation.js';
import { ModelHost } from '../models/host.js';
import type { FromThread, RunRequest, ToThread } from './protocol.js';
import { Turns } from './turns.js';
import { lowerPriority } from '../priority.js';

const port = parentPort;
if (!port) throw new Error('the inference thread must run in a worker thread');

let cfg: Config | undefined;
let host: ModelHost | undefined;
let log = createLogger('ca-inference', 'info');
// transformers.js and onnxruntime-web print to the console: into the JSON log with the rest.
captureConsole(() => log);
/** The load in progress, if any: closing waits for it, so models are never released while loading. */
let loading: Promise<unknown> = Promise.resolve();
let closing = false;
const running = new Map<number, { abort: AbortController; done: Promise<unknown> }>();
const turns = new Turns();
const send = (m: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

async function run(id: number, abort: AbortController, req: RunRequest): Promise<unknown> {
  if (!cfg || !host) throw new Error('models are not loaded');
  const c = cfg;
  const spec = TASKS[req.task].input;
  const media: MediaInput = spec.kind === 'upload' && req.upload ? await decodeUpload(spec.media, Buffer.from(req.upload), c) : {};
  const reports: InferenceReport[] = [];
  const ctx: HandlerContext = {
    cfg: c,
    models: host,
    log: log.child({ request_id: req.requestId, task: req.task }),
    signal: abort.signal,
    report: (r) => reports.push(r),
    progress: (done, total, unit) => send({ op: 'progress', id, data: { done, total, unit } }),
    checkCancelled: () => {
      if (abort.signal.aborted) throw cancelledError();
    },
    turn: (fn) => turns.take(req.priority, fn),
  };
  const handler = HANDLERS[req.task as TaskName] as (i: unknown, m: MediaInput, c: HandlerContext) => Promise<unknown>;
  const value = await handler(req.input, media, ctx);
  // Work handed to another task goes back as data: the main thread makes it a child job (chain.ts).
  return value instanceof Continuation ? { next: value.toJSON(), reports } : { value, reports };
}

const closingError = () => new AppError(503, 'worker_closing', 'the worker is shutting down', { retryable: true });

function startRun(id: number, req: RunRequest): Promise<unknown> {
  if (closing) return Promise.reject(closingError());
  const abort = new AbortController();
  const done = run(id, abort, req).finally(() => running.delete(id));
  running.set(id, { abort, done });
  return done;
}

async function close(abortRunning: boolean): Promise<never> {
  closing = true;
  if (abortRunning) for (const r of running.values()) r.abort.abort();
  await Promise.allSettled([loading, ...[...running.values()].map((r) => r.done)]);
  await host?.dispose();
  // From this thread's own JS, with no binding call on its stack: the one safe way for it to end.
  process.exit(0);
}

async function handle(m: ToThread): Promise<unknown> {
  switch (m.op) {
    case 'load': {
      if (closing) throw closingError();
      cfg = m.cfg;
      log = createLogger('ca-worker', cfg.LOG_LEVEL);
      lowerPriority(cfg.WORKER_NICE, log); // before the first session: its ONNX Runtime threads inherit it
      turns.anticipateMs = cfg.WORKER_BATCH_ANTICIPATION_MS;
      host ??= new ModelHost(cfg, log); // a second load retries what failed and keeps the rest
      const h = host;
      const loaded = (loading = h.loadFor(m.domains));
      await loaded;
      return { status: h.status(), tasks: h.readyTasks(m.domains), providers: h.providers() };
    }
    case 'run':
      return startRun(m.id, m.req);
    case 'close':
      return close(m.abortRunning);
    default:
      return null;
  }
}

port.on('message', (m: ToThread) => {
  if (m.op === 'cancel') {
    running.get(m.id)?.abort.abort();
    return;
  }
  if (m.op === 'crash') {
    if (cfg?.FAULT_INJECTION) {
      setImmediate(() => {
        throw new Error('injected inference-thread crash');
      });
    }
    return;
  }
  handle(m).then(
    (value) => send({ op: 'reply', id: m.id, ok: true, value }),
    (err: unknown) => {
      if (!isAppError(err)) log.error({ err: (err as Error)?.message?.slice(0, 500) }, 'inference failed with an unexpected error');
      send({ op: 'reply', id: m.id, ok: false, failure: failureOf(err) });
    },
  );
});
