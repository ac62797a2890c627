/**
 * Worker-thread side of the OCR engine. onnxruntime-node's session.run executes
 * synchronously on the calling JS thread (it only defers via setImmediate), so inference
 * lives here to keep the main event loop (BullMQ lock renewals, HTTP) responsive.
 */
import { parentPort } from 'node:worker_threads';
import { OcrPipeline } from './pipeline.js';
import type { PipelineOptions } from './pipeline.js';
import type { RgbImage } from './types.js';

export type WorkerRequest =
  | { id: number; op: 'init'; options: PipelineOptions }
  | { id: number; op: 'recognize'; image: RgbImage }
  | { id: number; op: 'warmUp' }
  | { id: number; op: 'dispose' };

export type WorkerResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { message: string; stack?: string } };

const port = parentPort;
if (!port) throw new Error('engine-worker must run in a worker thread');

let pipeline: OcrPipeline | undefined;
// Requests run one at a time: interleaving them would only lengthen each one's latency.
let queue: Promise<void> = Promise.resolve();

async function handle(req: WorkerRequest): Promise<unknown> {
  if (req.op === 'init') {
    pipeline = await OcrPipeline.create(req.options);
    return null;
  }
  if (!pipeline) throw new Error('OCR engine is not initialised');
  switch (req.op) {
    case 'recognize':
      return pipeline.recognize(req.image);
    case 'warmUp':
      return pipeline.warmUp();
    case 'dispose': {
      const p = pipeline;
      pipeline = undefined;
      await p.dispose();
      return null;
    }
  }
}

port.on('message', (req: WorkerRequest) => {
  queue = queue.then(async () => {
    let res: WorkerResponse;
    try {
      res = { id: req.id, ok: true, value: await handle(req) };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      res = { id: req.id, ok: false, error: { message: err.message, ...(err.stack ? { stack: err.stack } : {}) } };
    }
    port.postMessage(res);
  });
});
