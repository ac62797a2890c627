/**
 * §7 of the benchmark: QA throughput of the default layout against the peer (bench/peer/server.ts, the
 * transformers.js tutorial's one-process server) and against this service's former default (one inference
 * thread whose ONNX Runtime pool takes every core), issue 14 goal 1. Bench-size QA, q8 and fp32, 8 and 32
 * concurrent clients, each layout measured in turn in every round (the same machine load for all), the
 * median of the rounds reported with the ratio to the peer, and each worker's resident memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, REPO_ROOT } from '@ca/shared';
import { runLoad, type LoadResult } from './lib/load.js';
import { api, benchPrefix, metricSum, perJob, taskTimes, worker, type Cleanup } from './lib/service.js';
import { longContext, QA_QUESTION } from './lib/inputs.js';
import { ms, percentile, type Row } from './lib/stats.js';
import { BENCH_DIR } from './model-layer.js';
import { benchQaEnv, qaBody } from './e2e.js';

interface Target {
  name: string;
  url: string;
  /** GET /healthz of the same server (the API's, for the service). */
  health: string;
  rss: () => Promise<number>;
}

const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;

async function startPeer(dtype: string, cleanup: Cleanup): Promise<Target> {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench/peer/server.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, MODELS_DIR: BENCH_DIR, MODEL_DTYPE: dtype },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanup.add(`peer ${proc.pid}`, async () => void proc.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`the peer exited (${code})`)));
  });
  const rss = async () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  return { name: 'peer (tutorial: pipeline in the HTTP server)', url: `http://127.0.0.1:${port}/question-answering`, health: `http://127.0.0.1:${port}/healthz`, rss };
}

async function startService(name: string, dtype: string, extra: Record<string, string>, cleanup: Cleanup): Promise<Target & { layout: string; metricsPort: number }> {
  const env = benchQaEnv(benchPrefix(`tput-${Object.keys(extra).length}`), { MODEL_DTYPE: dtype, ...extra });
  const a = await api(env, cleanup);
  const w = await worker(env, a, cleanup);
  const cfg = loadConfig(env);
  const rss = async () => metricSum(await (await fetch(`http://127.0.0.1:${w.metricsPort}/metrics`)).text(), 'process_resident_memory_bytes');
  return { name, url: `${a.url}/question-answering`, health: `${a.url}/healthz`, rss, metricsPort: w.metricsPort, layout: `${cfg.inferenceThreads} inference thread(s) × ORT ${cfg.ortThreads}, ${cfg.workerConcurrency} live slot(s)` };
}

export async function benchThroughput(rounds: number, seconds: number, cleanup: Cleanup, rows: Row[], log: (m: string) => void): Promise<void> {
  const { body, tokens } = await qaBody(BENCH_DIR);
  for (const dtype of ['q8', 'fp32']) {
    log(`§7 starting the peer and two service layouts (bench-size QA, ${dtype})`);
    const targets: Target[] = [
      await startPeer(dtype, cleanup),
      await startService('service, default layout (no knobs set)', dtype, {}, cleanup),
      await startService('service, former default (WORKER_INFERENCE_THREADS=1, ORT_THREADS=cores, WORKER_CONCURRENCY=1)', dtype, { WORKER_INFERENCE_THREADS: '1', ORT_THREADS: String(os.availableParallelism()), WORKER_CONCURRENCY: '1' }, cleanup),
    ];
    for (const t of targets) await runLoad({ url: t.url, body, concurrency: 2, count: 6 }); // warm-up
    for (const clients of [8, 32]) {
      const runs = new Map<Target, LoadResult[]>(targets.map((t) => [t, []]));
      const probes = new Map<Target, number[]>(targets.map((t) => [t, []]));
      for (let r = 0; r < rounds; r++) {
        for (const t of targets) {
          log(`§7 ${dtype}, ${clients} clients, round ${r + 1}/${rounds}: ${t.name}`);
          // Goal 5: one client asks /healthz every 10 ms while the others saturate the machine with QA.
          const [load, probe] = await Promise.all([
            runLoad({ url: t.url, body, concurrency: clients, durationMs: seconds * 1000 }),
            runLoad({ url: t.health, concurrency: 1, durationMs: seconds * 1000, intervalMs: 10 }),
          ]);
          runs.get(t)!.push(load);
          probes.get(t)!.push(...probe.latencies);
        }
      }
      const rate = (x: LoadResult) => (x.ok * 1000) / x.elapsedMs;
      const peer = median(runs.get(targets[0]!)!.map(rate));
      for (const t of targets) {
        const rs = runs.get(t)!;
        const r = median(rs.map(rate));
        const lat = rs.flatMap((x) => x.latencies);
        const errors = rs.reduce((n, x) => n + x.errors, 0);
        rows.push({
          section: '7 throughput vs the peer',
          what: `QA throughput, ${dtype}, ${clients} concurrent clients: ${t.name}`,
          how: `bench-size QA (${tokens} tokens); ${rounds} rounds of ${seconds} s, layouts in turn; median${'layout' in t ? `; ${(t as { layout: string }).layout}` : ''}`,
          value: `${r.toFixed(1)}/s (${(r / peer).toFixed(2)}× the peer; goal ≥ 1.3×) · p50 ${ms(percentile(lat, 50))} · p99 ${ms(percentile(lat, 99))} · RSS ${mb(await t.rss())}${errors ? ` · ${errors} errors` : ''} · /healthz meanwhile p99 ${ms(percentile(probes.get(t)!, 99))} (goal ≤ 5 ms; ${probes.get(t)!.length} probes)`,
        });
      }
    }
    await cleanup.run(log);
  }
}

/**
 * §10, issue 14 goal 6: one client, a 4,000-character context, fp32. The peer's pipeline reads only the
 * first 512 tokens (it truncates); the service answers from the whole context, in windows with stride.
 * Sequential calls, peer and service in turn, p50 of each.
 */
export async function benchLongContext(rounds: number, cleanup: Cleanup, rows: Row[], log: (m: string) => void): Promise<void> {
  const context = longContext(4000);
  const body = JSON.stringify({ question: QA_QUESTION, context });
  log('§10 long context: the peer and the default layout (bench-size QA, fp32)');
  const peer = await startPeer('fp32', cleanup);
  const ours = await startService('service, default layout', 'fp32', {}, cleanup);
  for (const t of [peer, ours]) await runLoad({ url: t.url, body, concurrency: 1, count: 2 }); // warm-up
  const lat = new Map<Target, number[]>([[peer, []], [ours, []]]);
  const before = await taskTimes(ours.metricsPort, 'question-answering');
  for (let r = 0; r < rounds; r++) {
    for (const t of [peer, ours]) {
      const x = await runLoad({ url: t.url, body, concurrency: 1, count: 5 });
      if (x.errors) throw new Error(`§10 ${t.name}: ${x.errors} errors (${x.firstError ?? ''})`);
      lat.get(t)!.push(...x.latencies);
    }
  }
  const windows = perJob(before, await taskTimes(ours.metricsPort, 'question-answering')).callsPerJob;
  const p50 = (t: Target) => percentile(lat.get(t)!, 50);
  rows.push({
    section: '10 long context',
    what: `QA p50 at a ${context.length}-character context, fp32, 1 client: peer`,
    how: `bench-size QA; ${rounds} rounds of 5 sequential calls, peer and service in turn; the pipeline truncates the pair at 512 tokens`,
    value: `${ms(p50(peer))} · p95 ${ms(percentile(lat.get(peer)!, 95))}`,
  });
  rows.push({
    section: '10 long context',
    what: `QA p50 at a ${context.length}-character context, fp32, 1 client: service, default layout`,
    how: `same calls; the whole context in windows (${windows.toFixed(1)} model calls per job, worker /metrics); ${ours.layout}`,
    value: `${ms(p50(ours))} (${(p50(ours) / p50(peer)).toFixed(2)}× the peer; goal ≤ 1×) · p95 ${ms(percentile(lat.get(ours)!, 95))}`,
  });
  await cleanup.run(log);
}
