/**
 * Running a task for a request: answer from the response cache when possible (never touching a queue),
 * share a job with an identical request already running, check that a worker serves the domain,
 * enqueue, and (synchronous calls) await the result up to SYNC_TIMEOUT_MS, after which the caller gets
 * the job to poll instead.
 */
import { appendEvent, cacheKeyFor, errorOf, modelRegistry, ResponseCache, TASKS, type JobView, type TaskName } from '@ca/shared';
import type { AppDeps } from '../context.js';
import { Idempotency } from './idempotency.js';
import type { ParsedTaskInput } from './validate.js';

export type SyncOutcome = { kind: 'done'; result: unknown; cache?: 'HIT' | 'MISS' } | { kind: 'pending'; job: JobView };

export interface RunMeta {
  requestId: string;
  /** performance.now() when the request arrived: a cache hit's event records the latency from there. */
  receivedAt: number;
  owner?: string;
  idempotencyKey?: string;
}

export class TaskService {
  private readonly cache: ResponseCache;
  private readonly idempotency: Idempotency;
  private readonly registry;

  constructor(private readonly deps: AppDeps) {
    this.cache = new ResponseCache(deps.pipelined, deps.cfg.QUEUE_PREFIX, deps.cfg.CACHE_TTL_S);
    this.idempotency = new Idempotency(deps.redis, deps.cfg.QUEUE_PREFIX, deps.cfg.IDEMPOTENCY_TTL_S);
    this.registry = modelRegistry(deps.cfg);
  }

  /**
   * With an Idempotency-Key: the job of the first request with that key, submitted once. A replay of a
   * claim not yet confirmed submits again under the claimed id (a no-op if the job exists), so a claim
   * left behind by a crash between claim and add never answers with a job that does not exist.
   */
  private async idempotent(task: TaskName, parsed: ParsedTaskInput, meta: RunMeta & { idempotencyKey: string }): Promise<string> {
    const claim = await this.idempotency.claim(task, parsed, meta.idempotencyKey, meta.owner, this.deps.jobs.newId(task));
    if (claim.replay && (claim.confirmed || (await this.deps.jobs.exists(claim.jobId, meta.owner)))) return claim.jobId;
    const key = this.cache.enabled ? this.cacheKey(task, parsed.input) : undefined;
    try {
      await this.submit(task, parsed, meta, { jobId: claim.jobId, ...(key ? { cacheKey: key } : {}) });
    } catch (e) {
      // A refused submit leaves no trace: the key is free for the client's retry.
      await this.idempotency.release(meta.idempotencyKey, meta.owner, claim.jobId).catch(() => undefined);
      throw e;
    }
    await this.idempotency.confirm(meta.idempotencyKey, meta.owner, claim).catch(() => undefined);
    return claim.jobId;
  }

  /** The cache key of a cacheable task's input, or undefined. */
  private cacheKey(task: TaskName, input: unknown): string | undefined {
    const t = TASKS[task];
    if (!t.cacheable) return undefined;
    const spec = this.registry[t.models[0]!];
    return cacheKeyFor(task, spec.model, spec.revision, input, { exact: t.cacheExact ?? false });
  }

  async submit(task: TaskName, parsed: ParsedTaskInput, meta: RunMeta, extra: { jobId?: string; cacheKey?: string; inflightKey?: string } = {}): Promise<string> {
    // The task, and the tasks it will hand work to for this input.
    await this.deps.workers.assertServed(task, parsed.input);
    return this.deps.jobs.submit(task, parsed.input, {
      requestId: meta.requestId,
      ...(meta.owner ? { owner: meta.owner } : {}),
      ...(parsed.upload ? { upload: parsed.upload } : {}),
      ...(parsed.webhook ? { webhook: parsed.webhook } : {}),
      ...extra,
    });
  }

  /** Asynchronous submit: cacheable tasks still record their key, so the worker fills the cache. */
  async submitAsync(task: TaskName, parsed: ParsedTaskInput, meta: RunMeta): Promise<string> {
    if (meta.idempotencyKey) return this.idempotent(task, parsed, { ...meta, idempotencyKey: meta.idempotencyKey });
    const key = this.cache.enabled ? this.cacheKey(task, parsed.input) : undefined;
    return this.submit(task, parsed, meta, key ? { cacheKey: key } : {});
  }

  async run(task: TaskName, parsed: ParsedTaskInput, meta: RunMeta): Promise<SyncOutcome> {
    if (meta.idempotencyKey) return this.await(await this.idempotent(task, parsed, { ...meta, idempotencyKey: meta.idempotencyKey }), meta.owner);
    const key = this.cacheKey(task, parsed.input);
    // A call with a webhook gets a job of its own (no cached answer, no shared job): it is called back.
    if (!key || parsed.webhook) {
      const id = this.deps.jobs.newId(task);
      return this.await(id, meta.owner, () => this.submit(task, parsed, meta, { jobId: id }));
    }
    const hit = await this.cache.get(task, key);
    this.deps.metrics.cacheRequests.inc({ task, result: hit === undefined ? 'miss' : 'hit' });
    if (hit !== undefined) {
      // Not awaited: the event goes out in the same pipelined write as the next requests' commands, and
      // the answer does not wait for its reply. Its latency is the client's, from arrival to the send.
      void appendEvent(this.deps.pipelined, this.deps.cfg.QUEUE_PREFIX, {
        ts: Date.now(),
        task,
        model: this.registry[TASKS[task].models[0]!].model,
        ok: true,
        cached: true,
        latency_ms: Math.round(performance.now() - meta.receivedAt),
        queue_wait_ms: 0,
        inference_ms: 0,
        tokens_in: 0,
        tokens_out: 0,
        quality: 1,
      }).catch(() => undefined);
      return { kind: 'done', result: hit, cache: 'HIT' };
    }
    // Identical requests (same client: a shared job must stay visible to whoever polls it) share one job.
    const slot = meta.owner ? `${key}:${meta.owner}` : key;
    const mine = this.deps.jobs.newId(task);
    const owner = await this.cache.claimInflight(task, slot, mine, this.deps.cfg.JOB_DEADLINE_S * 1000);
    if (owner === mine) {
      // The twin we would have shared with may have finished between our lookup and our claim: the
      // worker fills the cache before it frees the slot, so one more lookup finds its result.
      const late = await this.cache.get(task, key);
      if (late !== undefined) {
        await this.cache.releaseInflight(task, slot, mine);
        return { kind: 'done', result: late, cache: 'HIT' };
      }
      let added = false;
      const submit = async () => {
        await this.submit(task, parsed, meta, { jobId: mine, cacheKey: key, inflightKey: slot });
        added = true;
      };
      try {
        const out = await this.await(mine, meta.owner, submit);
        return out.kind === 'done' ? { ...out, cache: 'MISS' } : out;
      } catch (e) {
        // No job holds the slot (refused, or Redis went away first): the next identical request runs.
        if (!added) await this.cache.releaseInflight(task, slot, mine);
        throw e;
      }
    }
    const out = await this.await(owner, meta.owner);
    return out.kind === 'done' ? { ...out, cache: 'MISS' } : out;
  }

  /** Wait for job `id` (added by `submit` when given: see JobClient.wait) up to SYNC_TIMEOUT_MS. */
  async await(id: string, owner?: string, submit?: () => Promise<unknown>): Promise<SyncOutcome> {
    const o = await this.deps.jobs.wait(id, this.deps.cfg.SYNC_TIMEOUT_MS, submit);
    if (o.state === 'completed') return { kind: 'done', result: o.result };
    if (o.state === 'failed') throw errorOf(o.failure);
    return { kind: 'pending', job: await this.deps.jobs.view(id, owner) };
  }
}

export const jobLinks = (id: string) => ({ self: `/jobs/${id}` });
