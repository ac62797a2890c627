/**
 * The reusable parts of the OpenAPI document: headers, error responses, parameters and security
 * schemes. Error descriptions list the stable codes the middleware and services actually answer with.
 */
import { ERROR_CODES, type Config } from '@ca/shared';

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

/** Response component names by status; their descriptions list the codes of ERROR_CODES with that status. */
const ERRORS: Record<number, { name: string; summary: string; headers?: string[] }> = {
  400: { name: 'BadRequest', summary: 'Malformed request.' },
  401: { name: 'Unauthorized', summary: 'Credentials are required.' },
  403: { name: 'Forbidden', summary: 'Credentials or origin refused.' },
  404: { name: 'NotFound', summary: 'Not found.' },
  405: { name: 'MethodNotAllowed', summary: 'Not allowed here.' },
  408: { name: 'RequestTimeout', summary: 'Too slow.' },
  409: { name: 'Conflict', summary: 'Conflicts with the state of the job.' },
  410: { name: 'Gone', summary: 'No longer stored.' },
  413: { name: 'TooLarge', summary: 'Over a limit; details names the limit and the value seen.' },
  415: { name: 'UnsupportedMediaType', summary: 'Not a type this route takes (a file is judged by its bytes, never its name or declared type).' },
  422: { name: 'Unprocessable', summary: 'Well-formed but not acceptable.' },
  429: { name: 'TooManyRequests', summary: 'Rate limited; wait Retry-After seconds.', headers: [...RATE_HEADERS, 'Retry-After'] },
  431: { name: 'HeadersTooLarge', summary: 'Headers too large.' },
  500: { name: 'InternalError', summary: 'The service failed (a stable code; never a stack trace).' },
  503: { name: 'Unavailable', summary: 'Not available now; retry after Retry-After seconds.', headers: ['Retry-After'] },
  504: { name: 'Timeout', summary: 'Waited too long.' },
};

const codesOf = (status: number) => Object.entries(ERROR_CODES).filter(([, e]) => e.status === status);

/** Error responses by status, as component refs. */
export const errors = (...statuses: number[]): Obj =>
  Object.fromEntries(
    statuses.map((s) => {
      const e = ERRORS[s];
      if (!e) throw new Error(`no error response for ${s}`);
      return [String(s), ref('responses', e.name)];
    }),
  );

/** The error response components the paths refer to (`used`: the paths, as JSON). */
export const errorResponses = (used: string): Obj =>
  Object.fromEntries(
    Object.entries(ERRORS)
      .filter(([, e]) => used.includes(`"#/components/responses/${e.name}"`))
      .map(([status, e]) => [
      e.name,
      {
        description: `${e.summary}\n\n${codesOf(Number(status)).map(([code, c]) => `- \`${code}\`: ${c.description}`).join('\n')}`,
        headers: headers(...(e.headers ?? [])),
        content: {
          'application/json': {
            schema: ref('schemas', 'Error'),
            examples: Object.fromEntries(codesOf(Number(status)).map(([code, c]) => [code, { summary: c.description, value: { error: { code, message: c.description } } }])),
          },
        },
      },
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
