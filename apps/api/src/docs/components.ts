/**
 * The reusable parts of the OpenAPI document: headers, error responses, parameters and security
 * schemes. Error descriptions list the stable codes the middleware and services actually answer with.
 */
import type { Config } from '@ca/shared';

export type Obj = Record<string, unknown>;

export const ref = (kind: 'schemas' | 'headers' | 'responses' | 'parameters', name: string): Obj => ({ $ref: `#/components/${kind}/${name}` });

export const HEADERS: Record<string, Obj> = {
  'X-Request-Id': {
    description: 'Request id: the one sent (when well-formed) or a new one. It follows the job into the worker logs.',
    schema: { type: 'string' },
  },
  'RateLimit-Limit': { description: 'Bucket size (burst) of the caller\'s rate-limit bucket.', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Tokens left in the bucket after this request.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the bucket is full again.', schema: { type: 'integer' } },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
  'X-Cache': { description: '`HIT` when the result came from the response cache (no queue touched), else `MISS`.', schema: { type: 'string', enum: ['HIT', 'MISS'] } },
  Location: { description: 'The job to poll: `/jobs/{id}`.', schema: { type: 'string' } },
};

export const RATE_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'];

/** Header refs for a response: X-Request-Id always, plus the named ones. */
export const headers = (...names: string[]): Obj =>
  Object.fromEntries(['X-Request-Id', ...names].map((n) => [n, ref('headers', n)]));

const ERRORS: Record<number, { name: string; description: string; headers?: string[] }> = {
  400: { name: 'BadRequest', description: 'Malformed request: `invalid_json`, `invalid_multipart`, `invalid_path` (a malformed percent-escape) or `invalid_idempotency_key`.' },
  401: { name: 'Unauthorized', description: '`unauthorized`: an API key is required (Authorization: Bearer or X-API-Key).' },
  403: { name: 'Forbidden', description: '`forbidden`: the API key is not valid.' },
  404: { name: 'NotFound', description: '`job_not_found`: no such job, or it belongs to another API key.' },
  409: { name: 'Conflict', description: '`job_finished`: the job already finished; `cancelled`: the job was cancelled.' },
  413: { name: 'TooLarge', description: 'Over a limit: `text_too_long`, `body_too_large`, `file_too_large`, or audio longer than allowed.' },
  415: {
    name: 'UnsupportedMediaType',
    description: '`unsupported_media_type`: wrong Content-Type, or a file whose bytes (never its name or declared type) are not an accepted format.',
  },
  422: {
    name: 'Unprocessable',
    description:
      '`validation_error` (with the zod issues in details), `unsupported_language` (with the supported list), `file_required`, `corrupt_media`, `invalid_window`, or an Idempotency-Key reused with another body.',
  },
  429: { name: 'TooManyRequests', description: '`rate_limited`: the bucket is empty, or too many wrong API keys came from this address; wait Retry-After seconds.', headers: [...RATE_HEADERS, 'Retry-After'] },
  500: { name: 'InternalError', description: 'The model failed after all retries (stable code, e.g. `inference_failed`), or `internal_error`. Never a stack trace.' },
  503: {
    name: 'Unavailable',
    description: '`redis_unavailable` (down or not answering), `redis_full` (out of memory), `no_worker` (no live worker serves the domain) or `queue_full`; retry after Retry-After seconds.',
    headers: ['Retry-After'],
  },
};

/** Error responses by status, as component refs. */
export const errors = (...statuses: number[]): Obj =>
  Object.fromEntries(
    statuses.map((s) => {
      const e = ERRORS[s];
      if (!e) throw new Error(`no error response for ${s}`);
      return [String(s), ref('responses', e.name)];
    }),
  );

export const errorResponses = (): Obj =>
  Object.fromEntries(
    Object.values(ERRORS).map((e) => [
      e.name,
      { description: e.description, headers: headers(...(e.headers ?? [])), content: { 'application/json': { schema: ref('schemas', 'Error') } } },
    ]),
  );

export const PARAMETERS: Record<string, Obj> = {
  JobId: {
    name: 'id',
    in: 'path',
    required: true,
    description: 'Job id as returned by a submission (domain prefix + random part).',
    schema: { type: 'string', pattern: '^(nlp|vision|audio)_[A-Za-z0-9_-]{22}$' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'Same key and body within its TTL return the same job (and result); the same key with another body is 422.',
    schema: { type: 'string', maxLength: 128 },
  },
  RequestId: {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description: 'Your id for this request (letters, digits, `._:-`, up to 128); echoed back and logged.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  },
  Window: {
    name: 'window',
    in: 'query',
    required: false,
    description: 'Time window: a number followed by s, m, h or d, at most 7d.',
    schema: { type: 'string', pattern: '^\\d{1,9}[smhd]$', default: '15m' },
    example: '15m',
  },
};

export const SECURITY_SCHEMES: Obj = {
  bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS, as `Authorization: Bearer <key>`.' },
  apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key in the X-API-Key header.' },
};

/**
 * Security of task and job routes. When no API_KEYS are configured the routes are open, which the
 * empty requirement `{}` says (Swagger UI then sends requests without asking for a key).
 */
export const taskSecurity = (cfg: Config): Obj[] => [{ bearerAuth: [] }, { apiKeyHeader: [] }, ...(cfg.API_KEYS.length ? [] : [{}])];
