/**
 * Process configuration: read from the environment once, at start-up, with zod. Nothing else in the
 * code base reads `process.env`; everything gets this object (or a part of it) passed down.
 * A bad value stops the process with a message naming the variable. What each variable means:
 * config-docs.ts (.env.example and the README's tables are generated from it: `pnpm docs:generate`).
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { z } from 'zod';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const DOMAINS = ['nlp', 'vision', 'audio'] as const;

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);
const num = (def: number, min = 0, max = Number.MAX_VALUE) => z.coerce.number().min(min).max(max).default(def);
const list = (def: string) =>
  z
    .string()
    .default(def)
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

/** A Standard Webhooks secret: whsec_ + base64 of at least 16 bytes. */
const WHSEC = /^whsec_[A-Za-z0-9+/]{22,}={0,2}$/;

export const EnvSchema = z
  .object({
    NODE_ENV: z.string().default('production'),
    PORT: int(8010, 0, 65535),
    HOST: z.string().default('0.0.0.0'),
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9{}_.-]+$/).default('{ca}'),
    WORKER_DOMAINS: list('nlp,vision,audio').pipe(z.array(z.enum(DOMAINS)).min(1)),
    WORKER_METRICS_PORT: int(9464, 0, 65535),
    WORKER_CONCURRENCY: int(0, 0, 64),
    WORKER_INFERENCE_THREADS: int(0, 0, 64),
    WORKER_BATCH_CONCURRENCY: int(1, 0, 64),
    WORKER_BATCH_ANTICIPATION_MS: int(20, 0, 1000),
    ORT_THREADS: int(0, 0, 256),
    WORKER_NICE: int(19, 0, 19),
    SHUTDOWN_TIMEOUT_MS: int(20_000, 0),
    JOB_LOCK_MS: int(30_000, 1000),
    MODEL_RETRY_S: num(60, 0),
    HEARTBEAT_INTERVAL_MS: int(2_000, 100),
    HEARTBEAT_TTL_MS: int(10_000, 500),

    MODEL_PROFILE: z.enum(['default', 'tiny']).default('default'),
    MODELS_DIR: z.string().optional(),
    ALLOW_REMOTE_MODELS: z.string().optional(),
    // Where models are downloaded from (a Hub mirror), and a Hub token for gated or private models
    // (sent to huggingface.co only, by transformers.js; never logged).
    HF_ENDPOINT: z.string().url().default('https://huggingface.co'),
    HF_TOKEN: z.string().optional(),
    DEVICE: z.enum(['cpu', 'cuda']).default('cpu'),
    MODEL_DTYPE: z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']).default('q8'),
    QA_MODEL: z.string().optional(),
    SUMMARIZER_MODEL: z.string().optional(),
    TRANSLATION_MODEL: z.string().optional(),
    VISION_MODEL: z.string().optional(),
    VISION_TASK: z.enum(['zero-shot-image-classification', 'image-classification']).optional(),
    ASR_MODEL: z.string().optional(),
    MODEL_REVISION: z.string().default('main'),
    DAMAGE_LABELS: list('cracked,scratched,dented,torn,stained,broken,intact'),
    INTACT_LABELS: list('intact'),
    DAMAGE_THRESHOLD: num(0.5, 0, 1),
    RETURN_POLICY: z.enum(['damaged-only', 'intact-only', 'always']).default('damaged-only'),
    SUMMARY_MAX_LENGTH: int(142, 1, 1024),
    SUMMARY_MIN_LENGTH: int(30, 0, 1024),
    TRANSLATION_MAX_LENGTH: int(256, 1, 2048),
    ASR_CHUNK_S: int(30, 0, 30),

    SYNC_TIMEOUT_MS: int(30_000, 1),
    // A client must send its request headers within this, and an idle keep-alive connection is closed
    // after the other (slow or stalled clients do not hold connections for long).
    HTTP_HEADERS_TIMEOUT_MS: int(10_000, 100),
    HTTP_KEEPALIVE_TIMEOUT_MS: int(5_000, 100),
    JOB_DEADLINE_S: int(3600, 1),
    JOB_ATTEMPTS: int(3, 1, 20),
    JOB_BACKOFF_MS: int(1000, 0),
    RESULT_TTL_S: int(86_400, 60),
    RESULT_KEEP_JOBS: int(10_000, 100),
    MAX_QUEUED_JOBS: int(10_000, 1),
    IDEMPOTENCY_TTL_S: int(86_400, 1),

    RATE_LIMIT_BURST: int(10, 0),
    RATE_LIMIT_REFILL: int(5, 1),
    RATE_LIMIT_INTERVAL_S: num(60, 0.001),
    RATE_LIMIT_GLOBAL_BURST: int(0, 0),
    RATE_LIMIT_GLOBAL_REFILL: int(100, 1),
    CACHE_TTL_S: int(300, 0),
    // Whose X-Forwarded-For to believe (per-IP rate limits, logs): nobody's by default, so a client
    // cannot pick its own bucket; else Express's list of names or CIDRs ("loopback, 10.0.0.0/8").
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((v): boolean | string => {
        const t = v.trim().toLowerCase();
        return ['false', 'none', '0'].includes(t) ? false : t === 'true' ? true : v;
      }),

    MAX_TEXT_CHARS: int(4000, 1),
    MAX_IMAGE_BYTES: int(5 * 1024 * 1024, 1),
    MAX_IMAGE_PIXELS: int(40_000_000, 1),
    MAX_AUDIO_BYTES: int(10 * 1024 * 1024, 1),
    MAX_AUDIO_SECONDS: num(120, 0.1),
    MAX_PDF_PAGES: int(5, 1),
    DECODE_TIMEOUT_MS: int(20_000, 100),
    MAX_RESPONSE_CHARS: int(1500, 1),
    MAX_JSON_BYTES: int(64 * 1024, 1024),

    // Webhooks (apps/api/src/webhooks/): the Standard Webhooks signing secret (whsec_ + base64), hosts or
    // CIDRs that may be private (development only), and the delivery's timeout and retry schedule.
    WEBHOOK_SECRET: z.string().optional(),
    // One secret per API key (`<api key>=whsec_…`, comma-separated): that key's webhooks are signed with it.
    WEBHOOK_KEY_SECRETS: list(''),
    WEBHOOK_ALLOW_PRIVATE: list(''),
    WEBHOOK_TIMEOUT_MS: int(10_000, 100),
    WEBHOOK_ATTEMPTS: int(12, 1, 30),
    WEBHOOK_BACKOFF_MS: int(5_000, 1),

    // Batches (POST /batches/{task}): items per batch, and the body's size.
    BATCH_MAX_ITEMS: int(1000, 1, 100_000),
    BATCH_MAX_BYTES: int(5 * 1024 * 1024, 1024),
    // Origins whose pages may call the API from a browser (exact scheme://host[:port], or *); none by default.
    CORS_ORIGINS: list(''),
    API_KEYS: list(''),
    ADMIN_USER: z.string().optional(),
    ADMIN_PASSWORD: z.string().optional(),
    ADMIN_READ_ONLY: bool(false),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    FAULT_INJECTION: bool(false),
  })
  .superRefine((v, ctx) => {
    if (v.SUMMARY_MIN_LENGTH > v.SUMMARY_MAX_LENGTH)
      ctx.addIssue({ code: 'custom', path: ['SUMMARY_MIN_LENGTH'], message: 'must not exceed SUMMARY_MAX_LENGTH' });
    if (v.WEBHOOK_SECRET !== undefined && !WHSEC.test(v.WEBHOOK_SECRET))
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRET'], message: 'must be whsec_ followed by the base64 of at least 16 random bytes' });
    for (const entry of v.WEBHOOK_KEY_SECRETS) {
      const at = entry.lastIndexOf('=whsec_');
      if (at <= 0 || !WHSEC.test(entry.slice(at + 1)))
        ctx.addIssue({ code: 'custom', path: ['WEBHOOK_KEY_SECRETS'], message: 'takes <api key>=whsec_… entries, each secret the base64 of at least 16 random bytes' });
      else if (!v.API_KEYS.includes(entry.slice(0, at)))
        ctx.addIssue({ code: 'custom', path: ['WEBHOOK_KEY_SECRETS'], message: 'names a key that is not in API_KEYS' });
    }
    if (Boolean(v.ADMIN_USER) !== Boolean(v.ADMIN_PASSWORD))
      ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: 'ADMIN_USER and ADMIN_PASSWORD go together' });
  });

export type Env = z.infer<typeof EnvSchema>;
export type Domain = (typeof DOMAINS)[number];
export const ALL_DOMAINS: readonly Domain[] = DOMAINS;

export interface Config extends Env {
  /** Folder of local models (Hub layout). */
  modelsDir: string;
  allowRemoteModels: boolean;
  /** Inference threads per worker process (WORKER_INFERENCE_THREADS, or chosen from the cores). */
  inferenceThreads: number;
  /** ONNX Runtime intra-op threads per inference thread (ORT_THREADS, or the cores shared out). */
  ortThreads: number;
  /** Live jobs per domain a worker process runs at once (WORKER_CONCURRENCY, or one per inference thread). */
  workerConcurrency: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parse an environment (default: process.env). Throws ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" (docker-compose and .env files write them for optional values).
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const v = parsed.data;
  const tiny = v.MODEL_PROFILE === 'tiny';
  const modelsDir = path.resolve(REPO_ROOT, v.MODELS_DIR ?? (tiny ? 'models/tiny' : 'models/hub'));
  const remote = v.ALLOW_REMOTE_MODELS ?? (tiny ? 'false' : 'true');
  if (!['true', 'false', '1', '0'].includes(remote)) throw new ConfigError([`ALLOW_REMOTE_MODELS: expected true or false, got "${remote}"`]);
  // Default layout: up to two inference threads per worker process, the cores shared out between their
  // ONNX Runtime pools (2 cores: 2 threads × 1, measured 1.44× one thread × 2 for QA; DESIGN §8:
  // oversubscribed pools collapse throughput), and one live job slot per thread. With N processes per
  // machine, set ORT_THREADS to cores / (N × threads).
  const cores = os.availableParallelism();
  const inferenceThreads = v.WORKER_INFERENCE_THREADS || Math.min(2, cores);
  const ortThreads = v.ORT_THREADS || Math.max(1, Math.floor(cores / inferenceThreads));
  const workerConcurrency = v.WORKER_CONCURRENCY || inferenceThreads;
  return { ...v, modelsDir, allowRemoteModels: remote === 'true' || remote === '1', inferenceThreads, ortThreads, workerConcurrency };
}

/**
 * Fill process.env from the .env file: `ENV_FILE` (relative to the working directory; empty = no file),
 * else `.env` at the repository root. A variable already in the environment wins over the file. Returns
 * the file read, if any.
 */
export function readEnvFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.ENV_FILE !== undefined ? env.ENV_FILE && path.resolve(env.ENV_FILE) : path.join(REPO_ROOT, '.env');
  if (!file || !existsSync(file)) return undefined;
  let vars: Record<string, string>;
  try {
    vars = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (e) {
    throw new ConfigError([`ENV_FILE: cannot read ${file}: ${(e as Error).message}`]);
  }
  for (const [k, v] of Object.entries(vars)) if (env[k] === undefined) env[k] = v;
  return file;
}

/** For a process entry point: .env read, then the config, or a message naming every bad variable and exit code 2. */
export function loadConfigOrExit(): Config {
  try {
    readEnvFile();
    return loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}
