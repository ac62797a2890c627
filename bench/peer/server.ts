/**
 * The peer: what a user would write instead of this service, after the transformers.js Node tutorial
 * ("Server-side inference in Node.js"): one process whose HTTP server holds a singleton pipeline and
 * awaits it per request. Same model files as the service (MODELS_DIR, MODEL_DTYPE), ONNX Runtime's
 * defaults for threads. Started by bench/throughput.ts as a process of its own; prints its port.
 */
import http from 'node:http';
import { transformers } from '../lib/inputs.js';

const { env, pipeline } = await transformers(); // the worker's own copy of transformers.js

env.localModelPath = process.env.MODELS_DIR!;
env.allowRemoteModels = false;
const qa = await pipeline('question-answering', process.env.QA_MODEL ?? 'ca-tiny/qa', { dtype: process.env.MODEL_DTYPE ?? 'q8' });

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c));
  req.on('end', () => {
    if (req.url === '/healthz') return void res.end('ok');
    const { question, context } = JSON.parse(body) as { question: string; context: string };
    qa(question, context, { top_k: 1 })
      .then((out) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(out));
      })
      .catch((e: Error) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: e.message }));
      });
  });
});
server.listen(0, '127.0.0.1', () => console.log(`PORT ${(server.address() as { port: number }).port}`));
