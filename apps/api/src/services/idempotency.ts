/**
 * Idempotency-Key (DESIGN §3): the same key with the same body returns the same job (and its result)
 * for IDEMPOTENCY_TTL_S; the same key with another body is 422. Keys are scoped to the API key (or
 * shared when keys are off), and stored with a fingerprint of task + input + upload bytes.
 *
 * A claim is written before its job and confirmed after the job was added. A process that dies (or a
 * Redis that fails) between the two leaves an unconfirmed claim whose job may not exist: a replay of it
 * submits again under the same job id, which cannot make a second job (BullMQ ignores an add whose id
 * exists), instead of answering 202 with a job that is not there.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError, cacheKeyFor, keys, type TaskName } from '@ca/shared';
import type { ParsedTaskInput } from './validate.js';

const VALID_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!VALID_KEY.test(key)) {
    throw new AppError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-128 characters of letters, digits and ._:-');
  }
  return key;
}

export class Idempotency {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlS: number,
  ) {}

  /**
   * The job id for this key: `jobId` when the key is new, the earlier job's id on a replay, and whether
   * that earlier job is known to exist (`confirmed`).
   */
  async claim(task: TaskName, parsed: ParsedTaskInput, key: string, owner: string | undefined, jobId: string): Promise<Claim> {
    const upload = parsed.upload ? createHash('sha256').update(parsed.upload.bytes).digest('hex') : null;
    const fingerprint = cacheKeyFor(task, '', '', { input: parsed.input, upload }, { exact: true });
    const k = keys(this.prefix).idempotency(owner ?? 'open', key);
    const set = await this.redis.set(k, JSON.stringify({ fingerprint, jobId }), 'EX', this.ttlS, 'NX');
    if (set === 'OK') return { jobId, replay: false, confirmed: false, fingerprint };
    const raw = await this.redis.get(k);
    const prev = raw ? (JSON.parse(raw) as { fingerprint: string; jobId: string; confirmed?: boolean }) : undefined;
    if (!prev) return this.claim(task, parsed, key, owner, jobId); // expired between the two calls
    if (prev.fingerprint !== fingerprint) {
      throw new AppError(422, 'idempotency_key_reused', 'this Idempotency-Key was already used with a different request', { details: { key } });
    }
    return { jobId: prev.jobId, replay: true, confirmed: prev.confirmed === true, fingerprint };
  }

  /** The claim's job exists: replays answer it without looking. (Written back if a release removed it.) */
  async confirm(key: string, owner: string | undefined, claim: Claim): Promise<void> {
    const value = JSON.stringify({ fingerprint: claim.fingerprint, jobId: claim.jobId, confirmed: true });
    await this.redis.eval(CONFIRM_OWN_CLAIM, 1, keys(this.prefix).idempotency(owner ?? 'open', key), claim.jobId, value, this.ttlS);
  }

  /**
   * Forget a claim whose job was never created (the submit was refused: queue full, no worker, Redis
   * error), so a retry with the same key submits again instead of replaying a job that does not exist.
   * Only our own claim is removed: the key may have expired and been claimed by another request since.
   */
  async release(key: string, owner: string | undefined, jobId: string): Promise<void> {
    await this.redis.eval(RELEASE_OWN_CLAIM, 1, keys(this.prefix).idempotency(owner ?? 'open', key), jobId);
  }
}

export interface Claim {
  jobId: string;
  replay: boolean;
  confirmed: boolean;
  fingerprint: string;
}

const CONFIRM_OWN_CLAIM = `
local v = redis.call('GET', KEYS[1])
if v == false or cjson.decode(v).jobId == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return 0`;

const RELEASE_OWN_CLAIM = `
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).jobId == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
