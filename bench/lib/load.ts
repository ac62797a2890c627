/**
 * A small HTTP load generator: `concurrency` keep-alive clients POST JSON (or GET) in a loop, for a duration or a
 * number of requests. It runs on its own worker thread (plain JavaScript, node:http with a keep-alive
 * agent), so the clients do not share an event loop with the in-process API they measure.
 * `__N__` in the body is replaced by the request's sequence number, so bodies can differ per request.
 */
import { Worker } from 'node:worker_threads';

export interface LoadOptions {
  url: string;
  /** JSON body (POST); without one the clients send GET. */
  body?: string;
  concurrency: number;
  /** Stop starting requests after this long (ms)... */
  durationMs?: number;
  /** ...or after this many requests in all. */
  count?: number;
  headers?: Record<string, string>;
  /** Each client pauses this long after each answer: a paced probe rather than a load. */
  intervalMs?: number;
}

export interface LoadResult {
  latencies: number[];
  ok: number;
  errors: number;
  /** Status code → count, for anything that was not 200. */
  statuses: Record<string, number>;
  cacheHits: number;
  elapsedMs: number;
  firstError?: string;
  /** Response body of the first successful request. */
  sample?: string;
}

const SOURCE = `
const { parentPort, workerData: o } = require('node:worker_threads');
const http = require('node:http');
const u = new URL(o.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
const latencies = []; const statuses = {}; let ok = 0, errors = 0, hits = 0, seq = 0, firstError, sample;
const t0 = performance.now();
const more = () => (o.count === undefined || seq < o.count) && (o.durationMs === undefined || performance.now() - t0 < o.durationMs);
function one(n) {
  const body = o.body === undefined ? undefined : Buffer.from(o.body.split('__N__').join(String(n)));
  return new Promise((resolve) => {
    const s = performance.now();
    const req = http.request({ agent, host: u.hostname, port: u.port, path: u.pathname + u.search, method: body ? 'POST' : 'GET',
      headers: { ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}), ...(o.headers || {}) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        latencies.push(performance.now() - s);
        if (res.statusCode === 200) { ok++; if (sample === undefined) sample = Buffer.concat(chunks).toString().slice(0, 300); }
        else { errors++; statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1; firstError ??= res.statusCode + ' ' + Buffer.concat(chunks).toString().slice(0, 300); }
        if (res.headers['x-cache'] === 'HIT') hits++;
        resolve();
      });
    });
    req.on('error', (e) => { errors++; statuses.network = (statuses.network || 0) + 1; firstError ??= String(e && e.message); resolve(); });
    req.end(body);
  });
}
async function client() { while (more()) { await one(seq++); if (o.intervalMs) await new Promise((r) => setTimeout(r, o.intervalMs)); } }
Promise.all(Array.from({ length: o.concurrency }, client)).then(() => {
  const elapsedMs = performance.now() - t0;
  agent.destroy();
  parentPort.postMessage({ latencies, ok, errors, statuses, cacheHits: hits, elapsedMs, firstError, sample });
});
`;

export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(SOURCE, { eval: true, workerData: opts });
    let done = false;
    w.once('message', (r: LoadResult) => {
      done = true;
      resolve(r);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (!done) reject(new Error(`load generator exited with code ${code}`));
    });
  });
}
