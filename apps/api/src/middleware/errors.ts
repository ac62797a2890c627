/**
 * The one error middleware: every failure becomes `{error: {code, message, details?}}` with its status.
 * Unknown errors are logged (message only, never payloads) and answered with a generic 500; when Redis
 * is unreachable the answer is 503 with Retry-After.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import multer from 'multer';
import { AppError, isAppError, isRedisOom, isStoreError, redisFull, redisUnavailable } from '@ca/shared';
import type { AppDeps } from '../context.js';

export function toAppError(err: unknown, deps: AppDeps): AppError {
  if (isAppError(err)) return err;
  const e = err as { type?: string; status?: number; code?: string; message?: string; field?: string };
  if (e?.type === 'entity.parse.failed') return new AppError(400, 'invalid_json', 'the request body is not valid JSON');
  if (e?.type === 'entity.too.large')
    return new AppError(413, 'body_too_large', 'the request body is over the limit', { details: { limit_bytes: deps.cfg.MAX_JSON_BYTES } });
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new AppError(415, 'unsupported_encoding', 'unsupported body encoding');
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_UNEXPECTED_FILE')
      return new AppError(400, 'invalid_multipart', 'send exactly one file, in the field "file"', { details: { field: err.field } });
    return new AppError(400, 'invalid_multipart', `malformed multipart upload (${err.code.toLowerCase()})`);
  }
  if (e?.message && /Multipart|Unexpected end of form|Malformed part header|boundary/i.test(e.message))
    return new AppError(400, 'invalid_multipart', 'malformed multipart upload');
  // Express decodes path parameters with decodeURIComponent: a malformed %-escape is the client's error.
  if (err instanceof URIError) return new AppError(400, 'invalid_path', 'the URL path has a malformed percent-escape');
  if (isRedisOom(err)) return redisFull();
  // Down, loading its data after a restart, or not answering (ioredis's commandTimeout: stopped, black-holed).
  if (isStoreError(err) || deps.redis.status !== 'ready') return redisUnavailable();
  return new AppError(500, 'internal_error', 'internal error');
}

export function errorHandler(deps: AppDeps): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = toAppError(err, deps);
    if (e.status >= 500 && e.code === 'internal_error') deps.log.error({ request_id: req.id, err: (err as Error)?.message?.slice(0, 500), path: req.path }, 'unhandled error');
    if (e.headers) res.set(e.headers);
    if ((e.status === 429 || e.status === 503) && !res.get('Retry-After')) res.set('Retry-After', '5');
    res.status(e.status).json(e.toBody());
  };
}

export const notFound: RequestHandler = (req, _res, next) => next(new AppError(404, 'not_found', `no route for ${req.method} ${req.path.slice(0, 200)}`));
