/**
 * §3–§5 of the benchmark: the real service. The API runs in this process, each stage with one real
 * worker process (WORKER_DOMAINS=nlp) on its own queue prefix; clients run on a separate thread.
 * The worker's own /metrics give its inference time, so overhead = end to end − inference.
 */
import path from 'node:path';
import { loadConfig } from '@ca/shared';
import { configureTransformers } from '../apps/worker/src/models/transformers-env.js';
import { fitContext, transformers } from './lib/inputs.js';
import { runLoad, type LoadOptions, type LoadResult } from './lib/load.js';
import { api, benchPrefix, perJob, REDIS_URL, serviceEnv, taskTimes, worker, type Cleanup, type RunningWorker } from './lib/service.js';
import { mean, ms, p50p95, percentile, rate, type Row } from './lib/stats.js';
import { BENCH_DIR, QA_TOKENS, TINY_DIR } from './model-layer.js';
import { startExpressGet } from './baselines/express-get.js';
import { startBareBullmq } from './baselines/bullmq-bare.js';

/** The question differs per request (`__N__`), so neither the cache nor in-flight sharing can join calls. */
const QUESTION = 'Within how many days can damaged item __N__ be returned for a refund?';

export interface E2eOptions {
  sequential: number;
  concurrency: number;
  concurrentMs: number;
  cacheMs: number;
  benchCalls: number;
}

/** A QA body whose pair is ~209 tokens with the tokenizer of the model the worker will load. */
export async function qaBody(modelsDir: string): Promise<{ body: string; tokens: number }> {
  configureTransformers(loadConfig({ MODEL_PROFILE: 'tiny', MODELS_DIR: modelsDir, ALLOW_REMOTE_MODELS: 'false' }));
  const tok = await (await transformers()).AutoTokenizer.from_pretrained('ca-tiny/qa');
  const { context, tokens } = fitContext(tok, QA_TOKENS, QUESTION.replace('__N__', '100'));
  return { body: JSON.stringify({ context, question: QUESTION }), tokens };
}

/**
 * A service environment with the bench-size QA model: models/bench holds only QA, so the worker's other
 * nlp models (needed for the domain to be ready) come from the tiny set.
 */
export function benchQaEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  const tiny = path.relative(BENCH_DIR, TINY_DIR);
  return serviceEnv(prefix, { MODELS_DIR: BENCH_DIR, SUMMARIZER_MODEL: `${tiny}/ca-tiny/summarizer`, TRANSLATION_MODEL: `${tiny}/ca-tiny/translator`, ...extra });
}

function check(r: LoadResult, what: string): LoadResult {
  if (r.ok === 0) throw new Error(`${what}: no successful request (${r.firstError ?? 'no response'})`);
  return r;
}

const perS = (x: LoadResult) => (x.ok * 1000) / x.elapsedMs;

/** The same load on ours and on a baseline ([what, url] each) in turn, 3 rounds; the median round of each (by rate). */
async function alternating(round: (r: number) => void, load: Omit<LoadOptions, 'url'>, ours: [string, string], baseline: [string, string]): Promise<[LoadResult, LoadResult]> {
  const runs: [LoadResult[], LoadResult[]] = [[], []];
  for (let r = 0; r < 3; r++) {
    round(r + 1);
    for (const [i, [what, url]] of [ours, baseline].entries()) runs[i]!.push(check(await runLoad({ ...load, url }), what));
  }
  const med = (xs: LoadResult[]) => [...xs].sort((a, b) => perS(a) - perS(b))[1]!;
  return [med(runs[0]), med(runs[1])];
}

const errorsNote = (r: LoadResult) => (r.errors ? ` · ${r.errors} errors ${JSON.stringify(r.statuses)}` : '');

async function sequentialQa(url: string, w: RunningWorker, body: string, count: number) {
  const opts: LoadOptions = { url: `${url}/question-answering`, body, concurrency: 1 };
  check(await runLoad({ ...opts, count: 5 }), 'warm-up');
  const before = await taskTimes(w.metricsPort, 'question-answering');
  const r = check(await runLoad({ ...opts, count }), 'sequential calls');
  const t = perJob(before, await taskTimes(w.metricsPort, 'question-answering'));
  return { r, t };
}

/** §3 and §4: tiny profile. */
export async function benchServiceTiny(o: E2eOptions, cleanup: Cleanup, rows: Row[], log: (m: string) => void): Promise<void> {
  const { body, tokens } = await qaBody(TINY_DIR);
  const prefix = benchPrefix('tiny');
  const env = serviceEnv(prefix, { MODELS_DIR: TINY_DIR });
  const a = await api(env, cleanup);
  log(`§3 starting a worker (prefix ${prefix})`);
  const w = await worker(env, a, cleanup);
  const section = '3 end to end';
  const setup = `API in-process + 1 worker process (tiny, nlp, ORT ${loadConfig(env).ortThreads} threads, concurrency 1), cache off, ${tokens}-token QA, new question each call`;

  const { r, t } = await sequentialQa(a.url, w, body, o.sequential);
  const e2eMean = mean(r.latencies);
  rows.push({ section, what: `sync POST /question-answering, ${o.sequential} sequential calls`, how: `${setup}; client latency`, value: `${p50p95(r.latencies)} · mean ${ms(e2eMean)}${errorsNote(r)}` });
  rows.push({
    section,
    what: 'worker-side time per QA job (same calls)',
    how: "worker /metrics deltas: ca_inference_duration_seconds, ca_job_duration_seconds, ca_job_queue_wait_seconds (sum/count)",
    value: `inference ${ms(t.inference)} (${t.callsPerJob.toFixed(1)} model calls/job) · whole job ${ms(t.job)} · queue wait ${ms(t.queueWait)} · ${t.jobs} jobs`,
  });
  rows.push({
    section,
    what: 'service overhead per sync call (e2e − inference)',
    how: 'mean client latency − mean worker inference per job: HTTP, validation, Redis enqueue, BullMQ pick-up, handler work outside the model, result hand-back',
    value: `${ms(e2eMean - t.inference)} (${Math.round((100 * (e2eMean - t.inference)) / e2eMean)}% of e2e); at p50 ${ms(percentile(r.latencies, 50) - t.inference)}`,
  });

  log(`§3 ${o.concurrency} concurrent clients for ${o.concurrentMs / 1000} s`);
  const before = await taskTimes(w.metricsPort, 'question-answering');
  const c = check(await runLoad({ url: `${a.url}/question-answering`, body, concurrency: o.concurrency, durationMs: o.concurrentMs }), 'concurrent calls');
  const ct = perJob(before, await taskTimes(w.metricsPort, 'question-answering'));
  rows.push({
    section,
    what: `sync POST /question-answering, ${o.concurrency} concurrent clients, ${o.concurrentMs / 1000} s`,
    how: `${setup}; keep-alive clients on their own thread`,
    value: `${rate((c.ok * 1000) / c.elapsedMs)} · p50 ${ms(percentile(c.latencies, 50))} · p99 ${ms(percentile(c.latencies, 99))} · worker inference ${ms(ct.inference)}/job, queue wait ${ms(ct.queueWait)}${errorsNote(c)}`,
  });
  await plumbing(a.url, o, prefix, setup, cleanup, rows, log);
  await w.stop();

  // §4: the worker stores results only with its own CACHE_TTL_S > 0, so this stage has its own pair.
  // The rate limit on (as in production), with a budget these clients never exhaust.
  const cenv = { ...env, CACHE_TTL_S: '300', RATE_LIMIT_BURST: '100000000', RATE_LIMIT_REFILL: '100000000', RATE_LIMIT_INTERVAL_S: '1' };
  const ca = await api(cenv, cleanup);
  log('§4 starting a worker with the cache on');
  await worker(cenv, ca, cleanup);
  const same = body.replace('__N__', 'cached');
  const url = `${ca.url}/question-answering`;
  const warm = check(await runLoad({ url, body: same, concurrency: 1, count: 2 }), 'cache warm-up');
  if (warm.cacheHits !== 1) throw new Error(`cache warm-up: expected MISS then HIT, got ${warm.cacheHits} hits`);
  // The baseline: Express + one Redis GET of a value as large as the cached answer, on the same Redis.
  const baseKey = `${prefix}:bench-baseline`;
  await ca.deps.redis.set(baseKey, warm.sample ?? '{}');
  const base = await startExpressGet(ca.deps.redis, baseKey);
  cleanup.add('express-get baseline', () => base.close());
  const [h, g] = await alternating(
    (r) => log(`§4 round ${r}/3: ${o.concurrency} clients on a cached answer, then on the baseline, ${o.cacheMs / 1000} s each`),
    { body: same, concurrency: o.concurrency, durationMs: o.cacheMs },
    ['cache hits', url],
    ['baseline', base.url],
  );
  rows.push({
    section: '4 cache hit',
    what: `sync POST /question-answering answered from the Redis cache, ${o.concurrency} concurrent clients, ${o.cacheMs / 1000} s`,
    how: 'API in-process with CACHE_TTL_S=300 and the rate limit on, one warm-up call, then the same body; X-Cache: HIT checked per response; median of 3 rounds alternating with the baseline',
    value: `${rate(perS(h))} (${(perS(h) / perS(g)).toFixed(2)}× the baseline; goal ≥ 0.7×) · p50 ${ms(percentile(h.latencies, 50))} · p99 ${ms(percentile(h.latencies, 99))} · ${h.cacheHits}/${h.ok + h.errors} hits${errorsNote(h)}`,
  });
  rows.push({
    section: '4 cache hit',
    what: `baseline: Express + one Redis GET (bench/baselines/express-get.ts), ${o.concurrency} concurrent clients, ${o.cacheMs / 1000} s`,
    how: 'same process, Redis, clients and body; the route parses the JSON body and answers the stored value',
    value: `${rate(perS(g))} · p50 ${ms(percentile(g.latencies, 50))} · p99 ${ms(percentile(g.latencies, 99))}${errorsNote(g)}`,
  });
  // Reference: the same clients against a route that does no work, to tell HTTP/client limits from the cache path.
  const z = check(await runLoad({ url: `${ca.url}/healthz`, concurrency: o.concurrency, durationMs: o.cacheMs }), 'healthz');
  rows.push({
    section: '4 cache hit',
    what: `reference: GET /healthz, ${o.concurrency} concurrent clients, ${o.cacheMs / 1000} s`,
    how: 'same API process and clients; the route touches neither Redis nor a queue',
    value: `${rate((z.ok * 1000) / z.elapsedMs)} · p50 ${ms(percentile(z.latencies, 50))} · p99 ${ms(percentile(z.latencies, 99))}${errorsNote(z)}`,
  });
}

/** The text differs per request (`__N__`): with the cache off, in-flight sharing still joins equal inputs. */
const TRANSLATE_BODY = JSON.stringify({ text: 'Where is my parcel __N__? It was due on Monday.', src_lang: 'en', target_lang: 'en' });

/**
 * Goal 4: the cheapest job (translate-text with source = target: the handler answers without a model call)
 * through the whole service, against an Express route on bare BullMQ doing the same round trip.
 */
async function plumbing(apiUrl: string, o: E2eOptions, prefix: string, setup: string, cleanup: Cleanup, rows: Row[], log: (m: string) => void): Promise<void> {
  cleanup.prefixes.add(`${prefix}-bare`);
  const bare = await startBareBullmq(REDIS_URL, `${prefix}-bare`);
  cleanup.add('bare BullMQ baseline', () => bare.close());
  const url = `${apiUrl}/translate-text`;
  for (const u of [url, bare.url]) check(await runLoad({ url: u, body: TRANSLATE_BODY, concurrency: 4, count: 40 }), 'plumbing warm-up');
  const [h, g] = await alternating(
    (r) => log(`§3 plumbing round ${r}/3: ${o.concurrency} clients on translate en→en, then on bare BullMQ, ${o.cacheMs / 1000} s each`),
    { body: TRANSLATE_BODY, concurrency: o.concurrency, durationMs: o.cacheMs },
    ['plumbing', url],
    ['bare BullMQ', bare.url],
  );
  rows.push({
    section: '3 end to end',
    what: `plumbing: sync POST /translate-text en→en (no model call), ${o.concurrency} concurrent clients, ${o.cacheMs / 1000} s`,
    how: `${setup.replace(/, \d+-token QA, new question each call/, '')}; a new text each call; median of 3 rounds alternating with the baseline`,
    value: `${rate(perS(h))} (${(perS(h) / perS(g)).toFixed(2)}× bare BullMQ; goal ≥ 0.9×) · p50 ${ms(percentile(h.latencies, 50))} · p99 ${ms(percentile(h.latencies, 99))}${errorsNote(h)}`,
  });
  rows.push({
    section: '3 end to end',
    what: `baseline: Express route on bare BullMQ (bench/baselines/bullmq-bare.ts), ${o.concurrency} concurrent clients, ${o.cacheMs / 1000} s`,
    how: 'queue.add + job.waitUntilFinished in the bench process, a worker process (concurrency 1) returning the text; same Redis, clients and body',
    value: `${rate(perS(g))} · p50 ${ms(percentile(g.latencies, 50))} · p99 ${ms(percentile(g.latencies, 99))}${errorsNote(g)}`,
  });
}

/** §5: the realistic-size QA model behind the service (same model id, MODELS_DIR=models/bench). */
export async function benchServiceLarge(o: E2eOptions, cleanup: Cleanup, rows: Row[], log: (m: string) => void): Promise<void> {
  const { body, tokens } = await qaBody(BENCH_DIR);
  const prefix = benchPrefix('large');
  const env = benchQaEnv(prefix);
  const a = await api(env, cleanup);
  log(`§5 starting a worker with the bench-size QA model (prefix ${prefix})`);
  const w = await worker(env, a, cleanup);
  const { r, t } = await sequentialQa(a.url, w, body, o.benchCalls);
  const e2eMean = mean(r.latencies);
  rows.push({
    section: '5 bench QA e2e',
    what: `sync POST /question-answering with bench-size QA (ca-tiny/qa from models/bench, q8), ${o.benchCalls} sequential calls`,
    how: `API in-process + 1 worker process (ORT ${loadConfig(env).ortThreads} threads), cache off, ${tokens}-token QA; inference from worker /metrics`,
    value: `e2e ${p50p95(r.latencies)} · inference ${ms(t.inference)}/job · whole job ${ms(t.job)} · overhead ${ms(e2eMean - t.inference)} (mean)${errorsNote(r)}`,
  });
  await w.stop();
}
