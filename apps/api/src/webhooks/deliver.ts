/**
 * Webhook delivery: BullMQ jobs on their own queue, consumed by the API processes (never by the model
 * workers). A job submitted with a webhook is added as the child of a delivery job (one flow, one
 * atomic add: job-client.ts), so BullMQ starts the delivery when the job has finished, whichever
 * process is up then, and a delivery survives a restart of any process. Each attempt re-checks the
 * address and connects to the checked one; 2xx is delivered, 410 stops, anything else is retried with
 * exponential backoff and jitter (WEBHOOK_ATTEMPTS, WEBHOOK_BACKOFF_MS: the README gives the schedule).
 * Every attempt is logged for `GET /jobs/{id}/deliveries`.
 */
import http from 'node:http';
import https from 'node:https';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError, closeWhenReady, createRedis, isAppError, keys, WEBHOOK_QUEUE, type BatchClient, type BatchData, type Config, type JobClient, type JobView, type Logger, type WebhookData } from '@ca/shared';
import type { z } from 'zod';
import type { Deliveries } from '../docs/schemas.js';
import { AllowList, resolveTarget, type Target } from './address.js';
import { signatureHeaders, webhookSecrets } from './sign.js';

/** One attempt, as `GET /jobs/{id}/deliveries` shows it (the documented schema is the type). */
export type DeliveryAttempt = z.output<typeof Deliveries>['deliveries'][number];

const LOG_MAX = 50;
/** How much of a receiver's answer is read (and what is kept of it for the log). */
const RESPONSE_CAP = 4096;
const SHOWN_CAP = 200;

export class DeliveryLog {
  private readonly k;
  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ttlS: number,
  ) {
    this.k = keys(prefix);
  }

  async add(jobId: string, a: DeliveryAttempt): Promise<void> {
    const key = this.k.deliveries(jobId);
    await this.redis.multi().rpush(key, JSON.stringify(a)).ltrim(key, -LOG_MAX, -1).expire(key, this.ttlS).exec();
  }

  async list(jobId: string): Promise<DeliveryAttempt[]> {
    return (await this.redis.lrange(this.k.deliveries(jobId), 0, -1)).map((s) => JSON.parse(s) as DeliveryAttempt);
  }
}

/** The event a finished job's view calls for, or undefined if it has not finished. */
export function eventOf(v: JobView): 'completed' | 'failed' | 'cancelled' | undefined {
  return v.status === 'completed' || v.status === 'failed' || v.status === 'cancelled' ? v.status : undefined;
}

/** The URL as shown in logs and the delivery log: no query (it may carry a token of the receiver's). */
export const shownUrl = (raw: string) => {
  try {
    const u = new URL(raw);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid)';
  }
};

/** POST to the checked address (never re-resolved), no redirects followed, the answer read up to a cap. */
function post(t: Target, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const lib = t.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      t.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'CustomerAssist-Webhooks/1' },
        agent: false,
        timeout: timeoutMs,
        // Connect to the address that was checked: a DNS answer that changed since cannot redirect us.
        lookup: (_host, opts, cb) => {
          if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: t.address, family: t.family }]);
          else cb(null, t.address, t.family);
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
          if (text.length >= RESPONSE_CAP) res.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0, text: text.slice(0, SHOWN_CAP) });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => reject(e));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}

export function startDeliveries(cfg: Config, jobs: JobClient, batches: BatchClient, redis: Redis, log: Logger) {
  const allow = new AllowList(cfg.WEBHOOK_ALLOW_PRIVATE);
  const deliveries = new DeliveryLog(redis, cfg.QUEUE_PREFIX, cfg.RESULT_TTL_S);
  const secrets = webhookSecrets(cfg);

  /** The message a delivery job sends: a job's final event, or (a batch's parent job) the batch's end. */
  async function message(job: Job<WebhookData | BatchData>): Promise<{ logId: string; url: string; msgId: string; type: string; data: unknown; owner: string | undefined } | { skipped: string }> {
    if (job.name === 'batch') {
      const d = job.data as BatchData;
      if (!d.webhook) return { skipped: 'no webhook' }; // the parent's completion marks the batch done
      const view = await batches.view(d.batchId, d.owner);
      return { logId: d.batchId, url: d.webhook.url, msgId: `msg_${d.batchId}_${view.status}`, type: `batch.${view.status}`, data: view, owner: d.owner };
    }
    const { jobId, url, events, owner } = job.data as WebhookData;
    const view = await jobs.view(jobId, owner).catch((e: unknown) => {
      if (isAppError(e) && e.status === 404) throw new UnrecoverableError('the job is gone (past its retention)');
      throw e;
    });
    const event = eventOf(view);
    if (!event) throw new UnrecoverableError('the job has not finished');
    if (!events.includes(event === 'cancelled' ? 'failed' : event)) return { skipped: event };
    // One id per message, the same on every retry and redelivery: receivers de-duplicate on it.
    return { logId: jobId, url, msgId: `msg_${jobId}_${event}`, type: `job.${event}`, data: view, owner };
  }

  const deliver = async (job: Job<WebhookData | BatchData>): Promise<unknown> => {
    const attempt = job.attemptsMade + 1;
    const m = await message(job);
    if ('skipped' in m) return m;
    const key = secrets.for(m.owner);
    if (!key) throw new UnrecoverableError('no webhook secret is set for this API key (WEBHOOK_SECRET, WEBHOOK_KEY_SECRETS)');
    const { logId: jobId, url } = m;
    const event = m.type;
    const body = JSON.stringify({ type: m.type, timestamp: new Date().toISOString(), data: m.data });
    const headers = signatureHeaders(key, m.msgId, Math.floor(Date.now() / 1000), body);
    const t0 = performance.now();
    const record = (a: Omit<DeliveryAttempt, 'attempt' | 'at' | 'event' | 'latency_ms'>) =>
      deliveries.add(jobId, { attempt, at: new Date().toISOString(), event, latency_ms: Math.round(performance.now() - t0), ...a }).catch(() => undefined);
    let status: number;
    try {
      const target = await resolveTarget(url, allow); // again at delivery time: DNS may have changed
      const res = await post(target, headers, body, cfg.WEBHOOK_TIMEOUT_MS);
      status = res.status;
    } catch (e) {
      const refused = isAppError(e) && e.code === 'webhook_refused';
      const error = (e as Error).message.slice(0, SHOWN_CAP);
      await record({ error, outcome: refused ? 'stopped' : 'retry' });
      log.warn({ job_id: jobId, url: shownUrl(url), attempt, err: error }, 'webhook delivery failed');
      throw refused ? new UnrecoverableError(error) : new Error(error);
    }
    if (status >= 200 && status < 300) {
      await record({ status, outcome: 'delivered' });
      return { delivered: true, status, attempt };
    }
    await record({ status, outcome: status === 410 ? 'stopped' : 'retry' });
    log.warn({ job_id: jobId, url: shownUrl(url), attempt, status }, 'webhook receiver did not accept the delivery');
    // 410 Gone: the receiver asks us to stop.
    throw status === 410 ? new UnrecoverableError('the receiver answered 410 Gone') : new Error(`the receiver answered ${status}`);
  };

  const connection = createRedis(cfg.REDIS_URL, { blocking: true, name: 'ca-webhooks' });
  const worker = new Worker(WEBHOOK_QUEUE, deliver, {
    connection,
    prefix: cfg.QUEUE_PREFIX,
    concurrency: 16,
    lockDuration: Math.max(30_000, cfg.WEBHOOK_TIMEOUT_MS * 3),
  });
  worker.on('error', (err) => log.error({ err: err.message }, 'webhook worker error'));
  // BullMQ leaves a connection it was given open: ours is closed after the worker.
  const close = async () => {
    await closeWhenReady(worker);
    connection.disconnect();
  };
  return { deliveries, close };
}

export const notConfigured = () =>
  new AppError(422, 'webhooks_not_configured', 'webhooks need a signing secret on the server: WEBHOOK_SECRET, or one for this API key in WEBHOOK_KEY_SECRETS');
