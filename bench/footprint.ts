/**
 * §8 of the benchmark: Redis memory per retained job (issue 14 goal 7). N synchronous QA calls (tiny
 * profile, the same 209-token bodies as §3, cache off) through the real API and worker; Redis's
 * used_memory before and after, per job, and what one job's own keys take (MEMORY USAGE). With
 * RESULT_KEEP_JOBS jobs kept per queue and state, this is what sizes Redis (README "Redis memory").
 */
import { loadConfig, type Config } from '@ca/shared';
import { runLoad } from './lib/load.js';
import { api, benchPrefix, serviceEnv, worker, type Cleanup } from './lib/service.js';
import type { Row } from './lib/stats.js';
import { TINY_DIR } from './model-layer.js';
import { qaBody } from './e2e.js';

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;

export async function benchFootprint(jobs: number, cleanup: Cleanup, rows: Row[], log: (m: string) => void): Promise<void> {
  const { body, tokens } = await qaBody(TINY_DIR);
  const env = serviceEnv(benchPrefix('footprint'), { MODELS_DIR: TINY_DIR });
  const cfg: Config = loadConfig(env);
  const a = await api(env, cleanup);
  await worker(env, a, cleanup);
  const redis = a.deps.redis;
  const used = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);
  await runLoad({ url: `${a.url}/question-answering`, body, concurrency: 4, count: 20 }); // warm-up: keys and scripts exist
  const before = await used();
  log(`§8 ${jobs} synchronous QA jobs`);
  const r = await runLoad({ url: `${a.url}/question-answering`, body, concurrency: 16, count: jobs });
  if (r.ok < jobs) throw new Error(`§8: ${jobs - r.ok} calls failed (${r.firstError})`);
  const after = await used();
  const perJob = (after - before) / jobs;
  // One job's own entries: its hash, and its share of the completed set, BullMQ's event stream and ours.
  const [id] = await redis.zrevrange(`${cfg.QUEUE_PREFIX}:nlp:completed`, 0, 0);
  const own = Number(await redis.call('MEMORY', 'USAGE', `${cfg.QUEUE_PREFIX}:nlp:${id}`, 'SAMPLES', '0'));
  const share = async (key: string, n: number) => Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) / Math.max(1, n);
  const completed = await redis.zcard(`${cfg.QUEUE_PREFIX}:nlp:completed`);
  const bullEvents = await share(`${cfg.QUEUE_PREFIX}:nlp:events`, await redis.xlen(`${cfg.QUEUE_PREFIX}:nlp:events`));
  const opsEvents = await share(`${cfg.QUEUE_PREFIX}:events`, await redis.xlen(`${cfg.QUEUE_PREFIX}:events`));
  const keep = cfg.RESULT_KEEP_JOBS;
  rows.push({
    section: '8 Redis footprint',
    what: `Redis memory per retained QA job (${tokens}-token context, tiny profile), ${jobs} sync calls`,
    how: `INFO used_memory before/after; MEMORY USAGE of one job's hash; stream entries: their key's size / length (${completed} completed kept)`,
    value: `${kb(perJob)} per job in all · job hash ${kb(own)} · BullMQ event entries ${kb(bullEvents)} · ops event ${kb(opsEvents)} · RESULT_KEEP_JOBS=${keep}: at most ~${Math.round((keep * perJob) / 1024 / 1024)} MB per queue and state`,
  });
  await cleanup.run(log);
}
