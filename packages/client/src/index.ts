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
  };
  return client;
}
