/** What a worker's heartbeat says in Redis: written by workers, read by the API (/readyz, admission). */
import type { Domain } from './config.js';
import type { ModelKey } from './models.js';

export interface ModelStatus {
  key: ModelKey;
  model: string;
  provider?: string;
  load_ms?: number;
  error?: string;
}

export interface WorkerRecord {
  id: string;
  host: string;
  pid: number;
  started_at: string;
  state: 'loading' | 'ready' | 'draining';
  /** Domains this worker consumes now. */
  domains: Domain[];
  /** Domains it was asked to serve but cannot (their models failed to load), with why. */
  unavailable: { domain: Domain; error: string }[];
  models: ModelStatus[];
  providers: string[];
  metrics_port?: number;
}
