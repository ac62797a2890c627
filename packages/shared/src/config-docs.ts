/**
 * What each configuration variable means, grouped as .env.example and the README show them. Both are
 * generated from this file and the schema's defaults (`pnpm docs:generate`; a test fails when they differ),
 * and a variable of the schema without an entry here does not compile.
 */
import type { EnvSchema } from './config.js';

export type EnvKey = keyof typeof EnvSchema.shape;

export const CONFIG_SECTIONS = [
  {
    title: 'processes',
    vars: {
      NODE_ENV: 'production or development (informational; log format does not change).',
      PORT: 'API port.',
      HOST: 'Interface the API and the worker metrics server bind to.',
      REDIS_URL: 'Redis for queues, results, cache, rate limits and events (npm start starts a private one if none answers).',
      QUEUE_PREFIX: 'Prefix of every Redis key; the {hash tag} keeps all keys in one Redis Cluster slot.',
      WORKER_DOMAINS: 'Queues this worker process serves (comma-separated: nlp, vision, audio).',
      WORKER_METRICS_PORT: 'Port of each worker\'s /metrics (0 = any free port).',
      WORKER_CONCURRENCY: 'Live jobs one worker process runs at once per domain; 0 = one per inference thread.',
      WORKER_INFERENCE_THREADS: 'Inference threads per worker process, each with its own copy of the models (memory × threads) and its own ONNX Runtime pool; 0 = min(2, cores).',
      WORKER_BATCH_ANTICIPATION_MS: 'After a live model call ends, a batch call waits this long for the next live call before taking the thread (anticipatory scheduling: a waiting client sends its next call a few ms later); 0 = never. Batch items lose at most this much per live call.',
      WORKER_BATCH_CONCURRENCY: 'Batch items one worker process runs at once per domain, in slots of their own beside the live ones (live model calls go first); 0 = this worker takes no batch items (a worker kept for live traffic).',
      ORT_THREADS: 'ONNX Runtime intra-op threads per inference thread; 0 = cores / inference threads. With N worker processes per machine use cores / (N × threads).',
      WORKER_NICE: 'Scheduling priority (nice, 0-19) of the inference threads and their ONNX Runtime threads: model calls yield the CPU to the API, Redis and the worker\'s own queue work on a shared machine (/healthz p99 under full QA load); 0 = leave it.',
      SHUTDOWN_TIMEOUT_MS: 'How long a stopping worker (SIGTERM) waits for its running jobs, in ms; then it hands them back to the queue (same attempt) and waits up to 10 s more for the model call in progress. Give a pod at least SHUTDOWN_TIMEOUT_MS + 15 s of grace.',
      HEARTBEAT_INTERVAL_MS: 'Worker heartbeat interval, in ms.',
      HEARTBEAT_TTL_MS: 'A worker without a heartbeat for this long counts as gone, in ms.',
    },
  },
  {
    title: 'models',
    vars: {
      MODEL_PROFILE: 'default = public Hub models; tiny = the generated random-weight test models (pnpm models:tiny).',
      MODELS_DIR: 'Local models in the Hugging Face layout (unset: models/hub, or models/tiny for the tiny profile).',
      ALLOW_REMOTE_MODELS: 'Download missing models from the Hub (unset: true, false for the tiny profile). false = air-gapped.',
      HF_ENDPOINT: 'Where models are downloaded from: the Hub, or a mirror of it.',
      HF_TOKEN: 'A Hugging Face token for gated or private models (sent to huggingface.co only; never logged).',
      DEVICE: 'cpu or cuda (falls back to cpu with a log line when CUDA is not usable).',
      MODEL_DTYPE: 'Weight type to load: fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4.',
      QA_MODEL: 'Question answering model (unset: Xenova/distilbert-base-cased-distilled-squad).',
      SUMMARIZER_MODEL: 'Summarisation model (unset: Xenova/distilbart-cnn-6-6).',
      TRANSLATION_MODEL: 'Translation model (unset: Xenova/m2m100_418M).',
      VISION_MODEL: 'Return-eligibility vision model (unset: Xenova/clip-vit-base-patch32).',
      VISION_TASK: 'zero-shot-image-classification (CLIP/SigLIP) or image-classification (a fine-tuned damage classifier).',
      ASR_MODEL: 'Speech model (unset: Xenova/whisper-base).',
      MODEL_REVISION: 'Hub revision (branch, tag or commit) of every model.',
      DAMAGE_LABELS: 'Labels the vision model scores a photo against (zero-shot) or treats as damage (classifier).',
      INTACT_LABELS: 'Labels that mean "no damage".',
      DAMAGE_THRESHOLD: 'A damage label beating this score marks the item as defective (0..1).',
      RETURN_POLICY: 'Who may return: damaged-only, intact-only or always.',
      SUMMARY_MAX_LENGTH: 'Longest summary, in tokens.',
      SUMMARY_MIN_LENGTH: 'Shortest summary, in tokens (at most SUMMARY_MAX_LENGTH).',
      TRANSLATION_MAX_LENGTH: 'Longest translation, in tokens.',
      ASR_CHUNK_S: 'Audio chunk length for long recordings, in seconds (0 = no chunking, at most 30).',
    },
  },
  {
    title: 'jobs',
    vars: {
      SYNC_TIMEOUT_MS: 'After this a synchronous call answers 202 with the job link, in ms.',
      HTTP_HEADERS_TIMEOUT_MS: 'Request headers must arrive within this, in ms (408 otherwise). A whole request (body and answer) may take SYNC_TIMEOUT_MS + 30 s.',
      HTTP_KEEPALIVE_TIMEOUT_MS: 'An idle keep-alive connection is closed after this, in ms.',
      JOB_DEADLINE_S: 'A job not started within this many seconds is dropped by the worker.',
      JOB_LOCK_MS: 'A job\'s lock, in ms: a worker that dies hands its job back to the queue after this long (a Redis outage shorter than half of it stalls nothing).',
      MODEL_RETRY_S: 'A worker retries models that failed to load this often, in seconds (0 = never); their tasks are served once they load.',
      JOB_ATTEMPTS: 'Tries per job (exponential backoff with jitter between them).',
      JOB_BACKOFF_MS: 'First retry delay, in ms.',
      RESULT_TTL_S: 'How long finished jobs and their results are kept, in seconds.',
      RESULT_KEEP_JOBS: 'At most this many finished jobs are kept per queue and state (completed, failed; webhook deliveries too), the oldest removed first, whatever their age: it bounds Redis memory (README "Redis memory").',
      MAX_QUEUED_JOBS: 'Submissions are refused with 503 queue_full when a domain queue holds this many waiting jobs.',
      IDEMPOTENCY_TTL_S: 'How long an Idempotency-Key is remembered, in seconds.',
    },
  },
  {
    title: 'rate limit and cache',
    vars: {
      RATE_LIMIT_BURST: 'Token bucket per client: burst size; 0 turns rate limiting off.',
      RATE_LIMIT_REFILL: 'Tokens added per interval.',
      RATE_LIMIT_INTERVAL_S: 'Refill interval, in seconds.',
      RATE_LIMIT_GLOBAL_BURST: 'Shared bucket across all clients; 0 = no global limit.',
      RATE_LIMIT_GLOBAL_REFILL: 'Tokens per interval for the global bucket.',
      CACHE_TTL_S: 'Response cache lifetime for QA, summaries and translations, in seconds; 0 turns the cache off.',
      TRUST_PROXY: 'Whose X-Forwarded-For to believe (per-IP rate limits): false = nobody\'s (a client cannot pick its own bucket); else the proxies\' addresses, names or CIDRs, e.g. "loopback, 10.0.0.0/8" (Express "trust proxy").',
    },
  },
  {
    title: 'limits',
    vars: {
      MAX_TEXT_CHARS: 'Longest text field, in characters (413 text_too_long).',
      MAX_IMAGE_BYTES: 'Largest image or PDF upload, in bytes (5 MB).',
      MAX_IMAGE_PIXELS: 'Largest decoded image, in pixels.',
      MAX_AUDIO_BYTES: 'Largest audio upload, in bytes (10 MB).',
      MAX_AUDIO_SECONDS: 'Longest audio, in seconds.',
      MAX_PDF_PAGES: 'extract-text reads the first this many pages of a PDF (the result says how many it has).',
      DECODE_TIMEOUT_MS: 'An external decoder (FFmpeg for M4A/WebM/AMR audio, poppler for PDF) is stopped after this long: decode_timeout.',
      MAX_RESPONSE_CHARS: 'Text in responses is cut at this many characters (the result says truncated: true).',
      MAX_JSON_BYTES: 'Largest JSON body, in bytes.',
    },
  },
  {
    title: 'access',
    vars: {
      API_KEYS: 'Comma-separated API keys; when set every task and job route needs one (Bearer or X-API-Key).',
      BATCH_MAX_ITEMS: 'Items per batch (POST /batches/{task}).',
      BATCH_MAX_BYTES: 'Largest batch body, in bytes.',
      CORS_ORIGINS: 'Origins whose web pages may call the API (comma-separated scheme://host[:port], or *); none by default. Preflights are answered; Location, Retry-After, RateLimit-*, X-Request-Id and X-Cache are exposed; other origins\' preflights get 403 origin_not_allowed.',
      WEBHOOK_SECRET: 'Webhooks: the Standard Webhooks signing secret (whsec_ + base64 of 16+ random bytes; unset = webhooks refused with 422 webhooks_not_configured). Make one: echo "whsec_$(openssl rand -base64 32)"',
      WEBHOOK_KEY_SECRETS: 'One secret per API key, comma-separated <api key>=whsec_… entries: that key\'s webhooks are signed with its own secret (the others with WEBHOOK_SECRET, or refused when it is unset). Each key must be in API_KEYS.',
      WEBHOOK_ALLOW_PRIVATE: 'Hosts or CIDRs a webhook may reach although private (development only, e.g. 127.0.0.1,10.0.0.0/8).',
      WEBHOOK_TIMEOUT_MS: 'Per-attempt timeout of a webhook delivery, in ms.',
      WEBHOOK_ATTEMPTS: 'Attempts of a webhook delivery (exponential backoff from WEBHOOK_BACKOFF_MS, ±50 % jitter): 12 × 5 s ≈ 5.7 h.',
      WEBHOOK_BACKOFF_MS: 'First retry delay of a webhook delivery, in ms (then doubling).',
      ADMIN_USER: 'Bull Board at /admin/queues: ADMIN_USER and ADMIN_PASSWORD both set = on (HTTP Basic auth), both unset = off (404).',
      ADMIN_PASSWORD: 'The Bull Board password (see ADMIN_USER; never logged).',
      ADMIN_READ_ONLY: 'true: Bull Board shows queues but cannot retry, clean, pause or remove jobs (405 read_only).',
    },
  },
  {
    title: 'diagnostics',
    vars: {
      LOG_LEVEL: 'pino level: fatal, error, warn, info, debug, trace, silent. Every line is JSON (library console output included), with one "request" line per HTTP request at info (method, route template, status, latency, request id; no bodies, keys or query strings).',
      FAULT_INJECTION: 'Test-only hooks that make workers fail on purpose; never true in production.',
    },
  },
] as const satisfies readonly { title: string; vars: { [K in EnvKey]?: string } }[];

type KeysOf<T> = T extends unknown ? keyof T : never;
type Undocumented = Exclude<EnvKey, KeysOf<(typeof CONFIG_SECTIONS)[number]['vars']>>;
/** Fails to compile, naming the variable, when the schema has one that no section documents. */
export const EVERY_VARIABLE_DOCUMENTED: [Undocumented] extends [never] ? true : Undocumented = true;
