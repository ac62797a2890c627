/** What a worker's heartbeat says in Redis: written by workers, read by the API (/readyz, admission). */
import type { Domain } from './config.js';
import type { ModelKey } from './models.js';
import type { TaskName } from './tasks/index.js';

/** Why a model could not be loaded (apps/worker/src/models/errors.ts classifies; README "Models" says what to do). */
export const LOAD_FAILURES = ['no_route_to_hub', 'token_refused', 'not_on_hub', 'not_in_folder', 'load_failed'] as const;
export type LoadFailure = (typeof LOAD_FAILURES)[number];

export interface ModelStatus {
  key: ModelKey;
  model: string;
  provider?: string;
  load_ms?: number;
  error?: string;
  reason?: LoadFailure;
}

export interface WorkerRecord {
  id: string;
  host: string;
  pid: number;
  started_at: string;
  state: 'loading' | 'ready' | 'draining';
  /** Domains whose queue this worker consumes now (one of its tasks has its models). */
  domains: Domain[];
  /** Tasks this worker runs now: every model of the task is loaded. */
  tasks: TaskName[];
  /** Whether it takes batch items too (WORKER_BATCH_CONCURRENCY > 0). */
  batches: boolean;
  /** Domains it was asked to serve but cannot (their models failed to load), with why. */
  unavailable: { domain: Domain; error: string }[];
  models: ModelStatus[];
  providers: string[];
  metrics_port?: number;
}
