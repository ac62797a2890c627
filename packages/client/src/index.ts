/**
 * Typed CustomerAssist client: openapi-fetch over the types generated from the API's OpenAPI document
 * (src/schema.d.ts), plus the job helpers most callers want: submit, get, wait, cancel.
 *
 *   const ca = createCaClient({ baseUrl: 'http://localhost:8010', apiKey });
 *   const { id } = await ca.submit('question-answering', { context, question });
 *   const job = await ca.wait(id, { timeoutMs: 60_000 });
 *
 * Every non-2xx answer becomes an ApiError carrying the service's stable error code.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths } from './schema.js';
export type Schemas = components['schemas'];
export type JobView = Schemas['JobView'];
export type JobAccepted = Schemas['JobAccepted'];
export type JobStatus = JobView['status'];
export type ErrorBody = Schemas['Error'];

/** Task names, read off the generated routes (`/jobs/{task}`). */
export type TaskName = Exclude<keyof paths & `/jobs/${string}`, `/jobs/{id}${string}`> extends `/jobs/${infer N}` ? N : never;

type SubmitOp<T extends TaskName> = NonNullable<paths[`/jobs/${T}`]['post']>;
type SyncOp<T extends TaskName> = NonNullable<paths[`/${T}`]['post']>;
type BodyContent<T extends TaskName> = SubmitOp<T> extends { requestBody: { content: infer C } } ? C : never;

/** The body of a task: its JSON object, or FormData with `file` (+ text fields) for upload tasks. */
export type TaskBody<T extends TaskName> =
  BodyContent<T> extends { 'application/json': infer J } ? J : FormData;
/** The result of a task (a completed job's `result`). */
export type TaskResult<T extends TaskName> = SyncOp<T> extends { responses: { 200: { content: { 'application/json': infer R } } } } ? R : never;

export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Seconds, from Retry-After (429 and 503). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class WaitTimeoutError extends Error {
  constructor(
    readonly id: string,
    readonly last: JobView,
  ) {
    super(`job ${id} is still ${last.status} after the wait timeout`);
    this.name = 'WaitTimeoutError';
  }
}

export interface CaClientOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>` when the service has API keys on. */
  apiKey?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

export interface CaClient {
  /** The underlying openapi-fetch client, typed with every route. */
  raw: Client<paths>;
  submit<T extends TaskName>(task: T, body: TaskBody<T>, opts?: { idempotencyKey?: string }): Promise<JobAccepted>;
  get(id: string): Promise<JobView>;
  wait(id: string, opts?: WaitOptions): Promise<JobView>;
  cancel(id: string): Promise<JobView>;
  /** A job's events (GET /jobs/{id}/events) as they happen, until its final one; resumes after a dropped connection. */
  events(id: string, opts?: { signal?: AbortSignal; lastEventId?: string }): AsyncGenerator<JobEvent>;
  /** The finished job, followed by its events instead of polling. */
  waitViaEvents(id: string, opts?: { signal?: AbortSignal }): Promise<JobView>;
}

/** One Server-Sent Event of a job. */
export interface JobEvent {
  id: string;
  type: 'queued' | 'active' | 'progress' | 'completed' | 'failed' | 'cancelled';
  data: Partial<JobView> & { id: string; status: JobStatus; progress?: { done: number; total: number; unit: string } };
}

const FINAL_EVENTS = new Set(['completed', 'failed', 'cancelled']);

/** Parse a text/event-stream body into events (the fields this API sends: id, event, data). */
async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ id?: string; event?: string; data: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut).replace(/^\r?\n\r?\n/, '');
      const ev: { id?: string; event?: string; data: string } = { data: '' };
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue; // a heartbeat comment
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const v = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'id') ev.id = v;
        else if (field === 'event') ev.event = v;
        else if (field === 'data') ev.data += (ev.data ? '\n' : '') + v;
      }
      if (ev.event) yield ev;
    }
  }
}

/** The payload of a webhook delivery: `job.completed`, `job.failed` or `job.cancelled`, and the job. */
export interface WebhookPayload {
  type: 'job.completed' | 'job.failed' | 'job.cancelled';
  timestamp: string;
  data: JobView;
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * Check a webhook delivery as the Standard Webhooks specification says — HMAC-SHA256 of
 * `${webhook-id}.${webhook-timestamp}.${body}` with the `whsec_` secret, one of the `v1,` signatures
 * matching, the timestamp within `toleranceS` of now — and return its payload. `body` must be the raw
 * request body, exactly as received. Runs wherever WebCrypto does (Node 20+, browsers, workers).
 */
export async function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined> | Headers,
  body: string,
  opts: { toleranceS?: number; now?: Date } = {},
): Promise<WebhookPayload> {
  const h = (name: string) => {
    const v = headers instanceof Headers ? headers.get(name) : headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : (v ?? undefined);
  };
  const [id, ts, sigs] = [h('webhook-id'), h('webhook-timestamp'), h('webhook-signature')];
  if (!id || !ts || !sigs) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature');
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (!/^\d+$/.test(ts) || Math.abs(now - Number(ts)) > (opts.toleranceS ?? 300)) throw new WebhookVerificationError('timestamp outside the tolerance');
  const raw = Uint8Array.from(atob(secret.startsWith('whsec_') ? secret.slice(6) : secret), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const signed = new TextEncoder().encode(`${id}.${ts}.${body}`);
  for (const entry of sigs.split(' ')) {
    const [version, sig] = entry.split(',');
    if (version !== 'v1' || !sig) continue;
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = Uint8Array.from(atob(sig), (c) => c.charCodeAt(0));
    } catch {
      continue;
    }
    // crypto.subtle.verify compares in constant time.
    if (await crypto.subtle.verify('HMAC', key, bytes, signed)) return JSON.parse(body) as WebhookPayload;
  }
  throw new WebhookVerificationError('no signature matches');
}

interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

function unwrap<T>(r: FetchResult): T {
  if (r.response.ok && r.data !== undefined) return r.data as T;
  const body = (r.error ?? {}) as Partial<ErrorBody>;
  const retry = Number(r.response.headers.get('Retry-After'));
  throw new ApiError(
    r.response.status,
    body.error?.code ?? `http_${r.response.status}`,
    body.error?.message ?? r.response.statusText,
    body.error?.details,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

export function createCaClient(opts: CaClientOptions): CaClient {
  const raw = createClient<paths>({
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    headers: { ...opts.headers, ...(opts.apiKey ? { Authorization: `Bearer ${opts.apiKey}` } : {}) },
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  // The task routes are generated per task; a loosely typed view of the client lets one helper call
  // any of them while the public signatures above stay exact.
  const loose = raw as unknown as {
    POST(path: string, init: Record<string, unknown>): Promise<FetchResult>;
    GET(path: string, init: Record<string, unknown>): Promise<FetchResult>;
    DELETE(path: string, init: Record<string, unknown>): Promise<FetchResult>;
  };
  const jobInit = (id: string) => ({ params: { path: { id } } });

  const client: CaClient = {
    raw,
    async submit(task, body, o = {}) {
      const headers = o.idempotencyKey ? { 'Idempotency-Key': o.idempotencyKey } : undefined;
      // openapi-fetch passes FormData through untouched (fetch sets the multipart boundary).
      return unwrap<JobAccepted>(await loose.POST(`/jobs/${task}`, { body, ...(headers ? { headers } : {}) }));
    },
    async get(id) {
      return unwrap<JobView>(await loose.GET('/jobs/{id}', jobInit(id)));
    },
    async wait(id, o = {}) {
      const timeoutMs = o.timeoutMs ?? 60_000;
      const intervalMs = o.intervalMs ?? 500;
      const end = Date.now() + timeoutMs;
      for (;;) {
        const v = await client.get(id);
        if (FINAL_STATUSES.includes(v.status)) return v;
        const left = end - Date.now();
        if (left <= 0) throw new WaitTimeoutError(id, v);
        await sleep(Math.min(intervalMs, left), o.signal);
      }
    },
    async cancel(id) {
      return unwrap<JobView>(await loose.DELETE('/jobs/{id}', jobInit(id)));
    },
    async *events(id, o = {}) {
      const doFetch = opts.fetch ?? fetch;
      const base = opts.baseUrl.replace(/\/+$/, '');
      let last = o.lastEventId;
      for (let attempt = 0; ; attempt++) {
        const res = await doFetch(`${base}/jobs/${encodeURIComponent(id)}/events`, {
          headers: { ...opts.headers, ...(opts.apiKey ? { Authorization: `Bearer ${opts.apiKey}` } : {}), ...(last ? { 'Last-Event-ID': last } : {}), Accept: 'text/event-stream' },
          ...(o.signal ? { signal: o.signal } : {}),
        });
        if (res.status === 204) return; // the final event was already seen
        if (!res.ok || !res.body) unwrap({ response: res, error: await res.json().catch(() => ({})) });
        let final = false;
        try {
          for await (const ev of readEvents(res.body!)) {
            if (ev.id) last = ev.id;
            const event = { id: ev.id ?? '', type: ev.event, data: JSON.parse(ev.data) } as JobEvent;
            yield event;
            if (FINAL_EVENTS.has(event.type)) final = true;
          }
        } catch (e) {
          if (o.signal?.aborted) throw e;
        }
        if (final) return;
        // The connection dropped before the end: resume from the last event seen.
        await sleep(Math.min(2000, 200 * 2 ** Math.min(attempt, 4)), o.signal);
      }
    },
    async waitViaEvents(id, o = {}) {
      for await (const e of client.events(id, o)) if (FINAL_EVENTS.has(e.type)) return client.get(id);
      return client.get(id);
    },
  };
  return client;
}
