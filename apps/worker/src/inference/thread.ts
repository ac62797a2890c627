/**
 * The inference thread of a worker process. onnxruntime-node runs a session synchronously on the
 * calling JS thread, and so do the WASM audio decoders; everything heavy a job does therefore happens
 * here — media decoding, the handler, every model call — so that the process's main thread stays free
 * to renew BullMQ locks, heartbeat and answer /metrics.
 */
import { parentPort } from 'node:worker_threads';
import { decodeAudio, decodeImage } from '@ca/media';
import { cancelledError, createLogger, errorOf, failureOf, isAppError, type Config, type TaskName } from '@ca/shared';
import { HANDLERS } from '../handlers/index.js';
import type { HandlerContext, InferenceReport, MediaInput } from '../handlers/types.js';
import { ModelHost } from '../models/host.js';
import type { FromThread, RunRequest, ToThread } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('the inference thread must run in a worker thread');

let cfg: Config | undefined;
let host: ModelHost | undefined;
const running = new Map<number, AbortController>();
const taskCalls = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
let nextTaskCall = 1;
const send = (m: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

async function run(id: number, req: RunRequest): Promise<unknown> {
  if (!cfg || !host) throw new Error('models are not loaded');
  const c = cfg;
  const abort = new AbortController();
  running.set(id, abort);
  try {
    const media: MediaInput = {};
    if (req.upload?.media === 'image') media.image = await decodeImage(Buffer.from(req.upload.bytes), { maxBytes: c.MAX_IMAGE_BYTES, maxPixels: c.MAX_IMAGE_PIXELS });
    if (req.upload?.media === 'audio') media.audio = await decodeAudio(Buffer.from(req.upload.bytes), { maxBytes: c.MAX_AUDIO_BYTES, maxSeconds: c.MAX_AUDIO_SECONDS });
    const reports: InferenceReport[] = [];
    const ctx: HandlerContext = {
      cfg: c,
      models: host,
      log: log.child({ request_id: req.requestId, task: req.task }),
      signal: abort.signal,
      report: (r) => reports.push(r),
      checkCancelled: () => {
        if (abort.signal.aborted) throw cancelledError();
      },
      runTask: (task, input) =>
        new Promise((resolve, reject) => {
          const callId = nextTaskCall++;
          taskCalls.set(callId, { resolve: resolve as (v: unknown) => void, reject });
          send({ op: 'runTask', id: callId, task, input, requestId: req.requestId });
        }),
    };
    const handler = HANDLERS[req.task as TaskName] as (i: unknown, m: MediaInput, c: HandlerContext) => Promise<unknown>;
    const value = await handler(req.input, media, ctx);
    return { value, reports };
  } finally {
    running.delete(id);
  }
}

let log = createLogger('ca-inference', 'info');

async function handle(m: ToThread): Promise<unknown> {
  switch (m.op) {
    case 'load': {
      cfg = m.cfg;
      log = createLogger('ca-worker', cfg.LOG_LEVEL);
      host ??= new ModelHost(cfg, log); // a second load retries what failed and keeps the rest
      await host.loadFor(m.domains);
      return { status: host.status(), ready: m.domains.filter((d) => host!.domainReady(d)), providers: host.providers() };
    }
    case 'run':
      return run(m.id, m.req);
    case 'dispose':
      await host?.dispose();
      return null;
    default:
      return null;
  }
}

port.on('message', (m: ToThread) => {
  if (m.op === 'cancel') {
    running.get(m.id)?.abort();
    return;
  }
  if (m.op === 'taskReply') {
    const call = taskCalls.get(m.id);
    taskCalls.delete(m.id);
    if (!call) return;
    if (m.ok) call.resolve(m.value);
    else call.reject(errorOf(m.failure));
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
