/**
 * The plumbing baseline (issue 14 goal 4): what the cheapest job costs at the least with BullMQ, an
 * Express route that adds a job and waits for it (`job.waitUntilFinished` on a QueueEvents), and a worker
 * process whose processor returns the text it was given (as translate-text does for source = target).
 * Same Redis, clients and body as the service; the worker takes one job at a time, as the service's does
 * in §3, and completed jobs are kept with the same bound.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import { REPO_ROOT } from '@ca/shared';

const QUEUE = 'bare';
const KEEP = { age: 3600, count: 50_000 };

interface Job {
  waitUntilFinished(events: unknown, ttl: number): Promise<unknown>;
}
interface BullMQ {
  Queue: new (name: string, o: object) => { add(name: string, data: unknown, o: object): Promise<Job>; close(): Promise<void>; setMaxListeners(n: number): void };
  QueueEvents: new (name: string, o: object) => { waitUntilReady(): Promise<unknown>; close(): Promise<void> };
  Worker: new (name: string, fn: (job: { data: { text: string } }) => Promise<unknown>, o: object) => { on(e: string, f: () => void): void };
}
interface Res {
  json(body: unknown): void;
}
type Handler = (req: { body: { text: string } }, res: Res, next: (e?: unknown) => void) => void;
interface Express {
  (): { post(path: string, ...h: Handler[]): void; listen(port: number, host: string, cb: () => void): Server };
  json(): Handler;
}

// The packages as the service resolves them (the bench's root package depends on neither).
const fromApi = createRequire(path.join(REPO_ROOT, 'apps/api/package.json'));

/** Run in the worker process: `node --import tsx bullmq-bare.ts worker <redis url> <prefix>`. */
async function runWorker(url: string, prefix: string): Promise<void> {
  const { Worker } = fromApi('bullmq') as BullMQ;
  const w = new Worker(QUEUE, async (job) => job.data.text, { connection: { url, maxRetriesPerRequest: null }, prefix, concurrency: 1 });
  w.on('ready', () => process.stdout.write('READY\n'));
  process.on('disconnect', () => process.exit(0));
}

export async function startBareBullmq(url: string, prefix: string): Promise<{ url: string; close(): Promise<void> }> {
  const { Queue, QueueEvents } = fromApi('bullmq') as BullMQ;
  const express = fromApi('express') as Express;
  const connection = { url, maxRetriesPerRequest: null };
  const queue = new Queue(QUEUE, { connection, prefix, defaultJobOptions: { removeOnComplete: KEEP, removeOnFail: KEEP } });
  // waitUntilFinished adds a 'closing' listener to the queue per waiting job: one per client here.
  queue.setMaxListeners(0);
  const events = new QueueEvents(QUEUE, { connection, prefix });
  await events.waitUntilReady();
  const worker = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'worker', url, prefix], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    worker.stdout!.on('data', (d: Buffer) => String(d).includes('READY') && resolve());
    worker.once('exit', (code) => reject(new Error(`the bare BullMQ worker exited (${code})`)));
  });
  const app = express();
  app.post('/translate', express.json(), (req, res, next) => {
    queue
      .add('translate', req.body, {})
      .then((job) => job.waitUntilFinished(events, 30_000))
      .then((text) => res.json({ translation: text }), next);
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/translate`,
    close: async () => {
      await new Promise((r) => server.close(() => r(undefined)));
      worker.kill('SIGKILL');
      await events.close();
      await queue.close();
    },
  };
}

if (process.argv[2] === 'worker') await runWorker(process.argv[3]!, process.argv[4]!);
