/**
 * The fault lab: the service as an operator runs it — its own redis-server (AOF, fsync always), the API
 * as a real process, worker processes kept running by a supervisor (restarted whenever one dies) — plus
 * clients that submit jobs of every task with an Idempotency-Key each and retry across 503s and refused
 * connections, and a ledger that says, at the end, what became of every acknowledged job.
 */
import { randomUUID } from 'node:crypto';
import { createRedis, keys, TASK_NAMES, type TaskName } from '@ca/shared';
import { KILL_POINTS } from '../../apps/worker/src/faults.js';
import { testEnv, testPrefix } from './env.js';
import { call, get } from './http.js';
import { form, productPhoto, textImage, wav } from './media.js';
import { phantomRecord } from './phantom.js';
import { free } from './ports.js';
import { startApiProcess, startWorker, waitFor, type WorkerHandle } from './processes.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

export interface LabOptions {
  workers: number;
  env?: Record<string, string>;
}

export interface Lab {
  url: string;
  prefix: string;
  redis: RedisServer;
  /** A connection of the test's own (fault keys, queue reads); reconnects after a Redis restart. */
  admin: ReturnType<typeof createRedis>;
  workers: WorkerHandle[];
  /** Worker processes started by the supervisor after one died. */
  restarts: number;
  /** The last output of workers that have exited (for a failing test's message). */
  deadOutput: string;
  api: WorkerHandle;
  killWorker(signal?: NodeJS.Signals): Promise<void>;
  restartApi(signal?: NodeJS.Signals): Promise<{ exitCode: number | null; ms: number }>;
  ready(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLab(o: LabOptions): Promise<Lab> {
  const redis = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction']);
  const prefix = testPrefix('lab');
  const port = await free();
  const env = (extra: Record<string, string> = {}) => ({
    ...testEnv(prefix, {
      REDIS_URL: redis.url,
      FAULT_INJECTION: 'true',
      // Longer than twice any Redis outage below (locks are renewed every half lock): an outage stalls no
      // job, as production's 30 s lock outlasts a failover. A killed worker's job comes back within ~2 locks.
      JOB_LOCK_MS: '6000',
      SHUTDOWN_TIMEOUT_MS: '3000',
      MAX_QUEUED_JOBS: '100000',
      LOG_LEVEL: 'error',
      ...o.env,
    }),
    ...extra,
  });
  const admin = createRedis(redis.url, { name: 'ca-lab' });
  admin.on('error', () => undefined);
  let stopping = false;
  const lab: Lab = {
    url: `http://127.0.0.1:${port}`,
    prefix,
    redis,
    admin,
    workers: [],
    restarts: 0,
    deadOutput: '',
    api: startApiProcess(env({ PORT: String(port) })),
    async killWorker(signal = 'SIGKILL') {
      const alive = lab.workers.filter((w) => w.proc.exitCode === null && w.proc.signalCode === null);
      const w = alive[Math.floor(Math.random() * alive.length)];
      if (w) await w.stop(signal);
    },
    async restartApi(signal = 'SIGTERM') {
      const t0 = Date.now();
      const exitCode = await lab.api.stop(signal);
      const ms = Date.now() - t0;
      lab.deadOutput = (lab.deadOutput + lab.api.output()).slice(-400_000);
      lab.api = startApiProcess(env({ PORT: String(port) }));
      await waitFor(async () => (await get(lab.url, '/healthz')).status === 200, 30_000, 'the API back');
      return { exitCode, ms };
    },
    async ready() {
      await waitFor(async () => (await get(lab.url, '/readyz')).status === 200, 120_000, 'the lab ready');
    },
    async stop() {
      stopping = true;
      await Promise.all([...lab.workers.map((w) => w.stop('SIGKILL')), lab.api.stop('SIGKILL')]);
      admin.disconnect();
      await redis.stop();
    },
  };
  const supervise = (slot: number) => {
    const w = startWorker(env());
    lab.workers[slot] = w;
    w.proc.once('exit', () => {
      lab.deadOutput = (lab.deadOutput + w.output()).slice(-400_000);
      if (stopping) return;
      lab.restarts++;
      supervise(slot);
    });
  };
  for (let i = 0; i < o.workers; i++) supervise(i);
  if (o.workers > 0) await lab.ready();
  else await waitFor(async () => (await get(lab.url, '/healthz')).status === 200, 30_000, 'the API up');
  return lab;
}

/** A heartbeat of a worker that serves `domains` but never consumes: admission passes, jobs stay queued. */
export async function phantom(lab: Lab, ...domains: string[]): Promise<void> {
  const k = keys(lab.prefix);
  const rec = phantomRecord('phantom', domains, 'lab');
  await lab.admin.multi().set(k.worker('phantom'), JSON.stringify(rec), 'PX', 600_000).zadd(k.workers, Date.now() + 600_000, 'phantom').exec();
}

/** Set how many times workers kill themselves at a point of a job's life (apps/worker/src/faults.ts). */
export const killAt = (lab: Lab, point: string, times: number) => lab.admin.hset(keys(lab.prefix).faultKill, point, times);

// ---------------------------------------------------------------------------------------------------
// Clients

type Body = () => FormData | Record<string, unknown>;
export async function inputs(): Promise<Record<TaskName, Body>> {
  const voice = wav({ seconds: 1, sampleRate: 8000 });
  const photo = await productPhoto('png', 96);
  const label = await textImage(['ORDER 4471']);
  return {
    'question-answering': () => ({ context: 'Returns are accepted within 30 days of delivery.', question: 'How long do I have?' }),
    'summarize-text': () => ({ text: `Ticket ${randomUUID()}: the parcel arrived late and the box was crushed.` }),
    'translate-text': () => ({ text: `Order ${Math.floor(Math.random() * 1e6)} has shipped.`, src_lang: 'en', target_lang: 'fr' }),
    'check-item-return-eligibility': () => form(photo, 'item.png'),
    'audio-transcribe': () => form(voice, 'voice.wav'),
    'audio-transcribe-translate': () => form(voice, 'voice.wav', { src_lang: 'hi', target_lang: 'fr' }),
    'extract-text': () => form(label, 'label.png'),
  };
}

export interface Ledger {
  /** Idempotency-Key → the job ids answered for it (more than one would be a duplicate). */
  accepted: Map<string, { task: TaskName; ids: Set<string> }>;
  /** Refusals the client retried: code → latencies (ms). */
  refused: Map<string, number[]>;
  /** Answers no client should ever get: 5xx but 503, non-JSON errors, anything unexpected. */
  bad: { status: number; body: string }[];
  /** Connection errors (the API restarting), retried. */
  connectionErrors: number;
}

export function newLedger(): Ledger {
  return { accepted: new Map(), refused: new Map(), bad: [], connectionErrors: 0 };
}

/**
 * `perTask` jobs of every task through `concurrency` clients. Each job has its own Idempotency-Key and
 * is retried with it until a 202: across 503s, 429s and refused or reset connections.
 */
export async function drive(lab: Lab, ledger: Ledger, o: { perTask: number; concurrency: number; tasks?: TaskName[]; paceMs?: number }): Promise<void> {
  const bodies = await inputs();
  const tasks = o.tasks ?? TASK_NAMES;
  const todo: TaskName[] = [];
  for (let i = 0; i < o.perTask; i++) todo.push(...tasks);
  const client = async () => {
    for (let task = todo.shift(); task; task = todo.shift()) {
      if (o.paceMs) await sleep(o.paceMs * (0.5 + Math.random()));
      const key = randomUUID();
      const body = bodies[task]();
      for (let attempt = 0; ; attempt++) {
        const t0 = performance.now();
        let r: Awaited<ReturnType<typeof call<any>>>;
        try {
          r = await call(lab.url, 'POST', `/jobs/${task}`, body, { 'Idempotency-Key': key });
        } catch {
          ledger.connectionErrors++;
          await sleep(200);
          continue;
        }
        const ms = performance.now() - t0;
        if (r.status === 202) {
          const entry = ledger.accepted.get(key) ?? { task, ids: new Set<string>() };
          entry.ids.add(r.body.id);
          ledger.accepted.set(key, entry);
          break;
        }
        const code = typeof r.body === 'object' ? (r.body?.error?.code as string | undefined) : undefined;
        if ((r.status === 503 || r.status === 429) && code) {
          ledger.refused.set(code, [...(ledger.refused.get(code) ?? []), ms]);
          await sleep(Math.min(Number(r.headers.get('retry-after') ?? 1) * 1000, 300));
          continue;
        }
        ledger.bad.push({ status: r.status, body: JSON.stringify(r.body).slice(0, 300) });
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, client));
}

export interface Reckoning {
  accepted: number;
  completed: number;
  failed: Record<string, number>;
  /** What the API says of (the first few) failed jobs. */
  failedViews: string[];
  lost: string[];
  /** What the API says of (the first few) lost jobs. */
  lostViews: string[];
  duplicated: number;
  replayMismatches: number;
}

/** What became of every acknowledged job: polled until finished (or `ms` passed: lost). */
export async function reckon(lab: Lab, ledger: Ledger, ms = 180_000): Promise<Reckoning> {
  const out: Reckoning = { accepted: 0, completed: 0, failed: {}, failedViews: [], lost: [], lostViews: [], duplicated: 0, replayMismatches: 0 };
  const end = Date.now() + ms;
  const ids = [...ledger.accepted.values()].flatMap((e) => [...e.ids]);
  out.accepted = ids.length;
  out.duplicated = [...ledger.accepted.values()].filter((e) => e.ids.size > 1).length;
  const pending = new Set(ids);
  while (pending.size && Date.now() < end) {
    for (const id of [...pending]) {
      const r = await get(lab.url, `/jobs/${id}`).catch(() => undefined);
      const status = r?.body?.status as string | undefined;
      if (status === 'completed') out.completed++;
      else if (status === 'failed') {
        out.failed[r!.body.error.code] = (out.failed[r!.body.error.code] ?? 0) + 1;
        if (out.failedViews.length < 5) out.failedViews.push(JSON.stringify(r!.body).slice(0, 400));
      }
      else continue;
      pending.delete(id);
    }
    if (pending.size) await sleep(500);
  }
  out.lost = [...pending];
  for (const id of out.lost.slice(0, 5)) {
    const view = await get(lab.url, `/jobs/${id}`).catch((e: Error) => ({ body: e.message }));
    out.lostViews.push(JSON.stringify(view.body).slice(0, 400));
  }
  return out;
}

/** A replay of a sample of keys answers the same job (idempotency held across the faults). */
export async function replay(lab: Lab, ledger: Ledger, sample = 50): Promise<number> {
  const bodies = await inputs();
  let mismatches = 0;
  for (const [key, e] of [...ledger.accepted.entries()].slice(0, sample)) {
    // JSON tasks only: an upload's body differs per call (multipart boundary aside, the same bytes are
    // needed for the same fingerprint, and these are made fresh) — they are covered by the duplicate count.
    if (!['question-answering'].includes(e.task)) continue;
    const r = await call(lab.url, 'POST', `/jobs/${e.task}`, bodies[e.task](), { 'Idempotency-Key': key });
    if (r.status !== 202 || !e.ids.has(r.body.id)) mismatches++;
  }
  return mismatches;
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// Faults

export type Fault = 'kill-worker' | 'sigterm-worker' | 'redis-hung' | 'redis-crash' | 'redis-full' | 'sigterm-api' | 'kill-points';

export interface FaultLog {
  fault: Fault;
  at_ms: number;
  detail?: string;
}

let killPointTurn = 0;

/** One fault, then the lab back to normal. */
export async function inflict(lab: Lab, fault: Fault): Promise<string | undefined> {
  switch (fault) {
    case 'kill-worker':
      await lab.killWorker('SIGKILL');
      return undefined;
    case 'sigterm-worker': {
      const t0 = Date.now();
      await lab.killWorker('SIGTERM');
      return `exited in ${Date.now() - t0} ms`;
    }
    case 'redis-hung':
      process.kill(lab.redis.pid, 'SIGSTOP');
      await sleep(2500);
      process.kill(lab.redis.pid, 'SIGCONT');
      return undefined;
    case 'redis-crash':
      await lab.redis.crash();
      await sleep(1500);
      await lab.redis.restart();
      return undefined;
    case 'redis-full':
      // Past its limit, under noeviction: every write that may grow memory is refused with OOM — submits,
      // results, lock renewals, heartbeats alike — until memory is given back.
      await lab.admin.config('SET', 'maxmemory', '1');
      await sleep(2500);
      await lab.admin.config('SET', 'maxmemory', '0');
      return undefined;
    case 'sigterm-api': {
      const r = await lab.restartApi('SIGTERM');
      return `exit ${r.exitCode} in ${r.ms} ms`;
    }
    case 'kill-points': {
      // One point per fault, in turn: arming all at once would kill one job's worker again and again,
      // which BullMQ (maxStalledCount) rightly stops as a job that kills its workers.
      const point = KILL_POINTS[killPointTurn++ % KILL_POINTS.length]!;
      await killAt(lab, point, 1);
      return point;
    }
  }
}

/**
 * Load and faults together: every fault of `faults` in turn, `gapMs` apart, while the submits are paced
 * to span the same time (so faults land on submits, queued jobs and running ones alike).
 */
export async function chaos(lab: Lab, o: { perTask: number; concurrency: number; faults: Fault[]; gapMs: number; reckonMs?: number }) {
  const ledger = newLedger();
  const log: FaultLog[] = [];
  const t0 = Date.now();
  const span = o.faults.length * o.gapMs;
  const perClient = Math.ceil((o.perTask * TASK_NAMES.length) / o.concurrency);
  const load = drive(lab, ledger, { ...o, paceMs: span / perClient });
  const faults = (async () => {
    for (const fault of o.faults) {
      await sleep(o.gapMs);
      const detail = await inflict(lab, fault).catch((e: Error) => `error: ${e.message}`);
      log.push({ fault, at_ms: Date.now() - t0, ...(detail ? { detail } : {}) });
    }
  })();
  await Promise.all([load, faults]);
  const reckoning = await reckon(lab, ledger, o.reckonMs);
  // What the processes logged of unexpected errors (for a failing test's message).
  const unexpected = (lab.deadOutput + lab.api.output() + lab.workers.map((w) => w.output()).join('\n'))
    .split('\n')
    .filter((l) => /unhandled error|unexpected error/.test(l))
    .slice(-5)
    .map((l) => l.slice(0, 400));
  const latencies = [...ledger.refused.values()].flat();
  return {
    ...reckoning,
    bad: ledger.bad,
    connectionErrors: ledger.connectionErrors,
    refused: Object.fromEntries([...ledger.refused.entries()].map(([k, v]) => [k, v.length])),
    refusedMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    restarts: lab.restarts,
    unexpected,
    faults: log,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
}
