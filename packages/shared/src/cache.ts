/**
 * Response cache and in-flight sharing (DESIGN §3 "Cache").
 *
 * Results of cacheable tasks live under `keys(prefix).cache(task, hash)` for `ttlS` seconds. The hash
 * covers task, model id, model revision and the normalised input, so a model upgrade never serves a
 * stale answer. Identical requests arriving while the first is still running share its job through an
 * `inflight` key that names the owning job id.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from './queues.js';

/**
 * Input normalisation for the cache key only (the job still runs on the input as sent): strings are
 * NFC-normalised, trimmed and runs of whitespace collapsed to one space, so inputs a human would call
 * identical hit the same entry. Object keys are sorted; `undefined` members are dropped as JSON would.
 * Bytes (Buffer/Uint8Array) are replaced by their sha256 so uploads hash cheaply and stably.
 */
function normalise(v: unknown, exact = false): unknown {
  if (typeof v === 'string') return exact ? v : v.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (v === null || typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? null : v;
  if (ArrayBuffer.isView(v)) {
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return { $sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : normalise(x, exact)));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && typeof x !== 'function') out[k] = normalise(x, exact);
  }
  return out;
}

/** sha256 (hex) of stable JSON (sorted keys) of {input: normalised input, model, revision, task}. */
/**
 * `exact`: hash strings as sent — for results that point into the input (QA's character offsets), where
 * two inputs differing only in spacing must not share an answer.
 */
export function cacheKeyFor(task: string, model: string, revision: string, input: unknown, opts: { exact?: boolean } = {}): string {
  // Task, model and revision are identifiers: hashed as given, never whitespace-normalised. The literal
  // is written in sorted key order and normalise() builds nested objects sorted, so this is stable JSON.
  const json = JSON.stringify({ input: normalise(input, opts.exact) ?? null, model, revision, task });
  return createHash('sha256').update(json).digest('hex');
}

// Delete the in-flight marker only if it still names our job: a marker that expired and was taken over
// by a newer job must not be removed by the old owner.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RELEASE_CMD = 'caInflightRelease';
type ReleaseFn = (key: string, jobId: string) => Promise<number>;

export class ResponseCache {
  private readonly k: ReturnType<typeof keys>;

  /** `ttlS` 0 turns the response cache off (in-flight sharing stays available). */
  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly ttlS: number,
  ) {
    this.k = keys(prefix);
    if (!(RELEASE_CMD in redis)) redis.defineCommand(RELEASE_CMD, { numberOfKeys: 1, lua: RELEASE });
  }

  get enabled(): boolean {
    return this.ttlS > 0;
  }

  /** The cached value, or undefined on a miss (or when the cache is off, or the entry is unreadable). */
  async get<T = unknown>(task: string, hash: string): Promise<T | undefined> {
    if (!this.enabled) return undefined;
    const raw = await this.redis.get(this.k.cache(task, hash));
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return undefined; // written by something else: treat as a miss, the next set overwrites it
    }
  }

  /** Store `value` as JSON for `ttlS` seconds. No-op when the cache is off. */
  async set(task: string, hash: string, value: unknown): Promise<void> {
    if (!this.enabled) return;
    await this.redis.set(this.k.cache(task, hash), JSON.stringify(value), 'EX', this.ttlS);
  }

  /**
   * Claim the in-flight slot for (task, hash) for `ttlMs`. Returns the job id that owns it: `jobId` if
   * we won, otherwise the earlier job's id, which the caller should await instead of enqueueing.
   * `ttlMs` should cover the job's deadline, so a crashed owner cannot block the slot for longer.
   */
  async claimInflight(task: string, hash: string, jobId: string, ttlMs: number): Promise<string> {
    const key = this.k.inflight(task, hash);
    const ttl = Math.max(1, Math.ceil(ttlMs));
    // SET NX then GET is two round trips: the owner may release (or the key expire) in between, in
    // which case GET finds nothing and we try to claim again. Three rounds make that practically certain.
    for (let i = 0; i < 3; i++) {
      const ok = await this.redis.set(key, jobId, 'PX', ttl, 'NX');
      if (ok === 'OK') return jobId;
      const owner = await this.redis.get(key);
      if (owner !== null) return owner;
    }
    return jobId; // the slot keeps vanishing: run our own job rather than fail the request
  }

  /** Remove the in-flight marker if `jobId` still owns it. Returns true when it was removed. */
  async releaseInflight(task: string, hash: string, jobId: string): Promise<boolean> {
    const fn = (this.redis as unknown as Record<string, ReleaseFn>)[RELEASE_CMD]!.bind(this.redis);
    return (await fn(this.k.inflight(task, hash), jobId)) === 1;
  }
}
