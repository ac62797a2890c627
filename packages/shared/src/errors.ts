/**
 * One error type for everything a client can be told. `code` is stable (clients switch on it), `status`
 * is the HTTP status the API answers with, `details` is safe to show (never payload text or secrets).
 * Workers throw these too: an AppError with `retryable: false` fails a job at once (no BullMQ retry).
 */
import type { ErrorCode } from './error-codes.js';

export type ErrorDetails = Record<string, unknown>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails | undefined;
  readonly retryable: boolean;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    opts: { details?: ErrorDetails; retryable?: boolean; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = opts.details;
    // Client errors (4xx) never get better by retrying; server-side failures may.
    this.retryable = opts.retryable ?? status >= 500;
    this.headers = opts.headers;
  }

  toBody(): { error: { code: ErrorCode; message: string; details?: ErrorDetails } } {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }

  /** A plain object that survives JSON (BullMQ stores failures as text). */
  toJSON(): { status: number; code: ErrorCode; message: string; details?: ErrorDetails } {
    return { status: this.status, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** The job was cancelled by its client (never retried). */
export const cancelledError = () => new AppError(409, 'cancelled', 'the job was cancelled', { retryable: false });

/** Redis cannot be reached: the request is answered at once instead of waiting for it. */
export const redisUnavailable = () =>
  new AppError(503, 'redis_unavailable', 'the service store is unreachable; try again shortly', { headers: { 'Retry-After': '5' } });

/** Redis refused a write because it is out of memory (maxmemory under noeviction). */
export const redisFull = () =>
  new AppError(503, 'redis_full', 'the service store is full; try again later', { headers: { 'Retry-After': '30' } });

/** True for Redis's OOM reply ("OOM command not allowed when used memory > 'maxmemory'"). */
export const isRedisOom = (err: unknown): boolean => err instanceof Error && /^OOM command not allowed/.test(err.message);

/**
 * True for an error of the store rather than of the work: Redis full, loading its data after a restart,
 * read-only or without a master, a cluster that is down, or a connection that failed, closed or timed
 * out. Such an error says nothing about the job or the request: it is answered with 503 and a job that
 * met it is tried again without spending one of its attempts.
 */
export function isStoreError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (/^(OOM|LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY) /.test(err.message)) return true;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN'].includes(code)) return true;
  return /^(Connection is closed|Command timed out|Stream isn't writeable)/.test(err.message);
}

/** Media that is not one of the accepted kinds, judged by its bytes (415). */
export const unsupportedMedia = (message: string, details?: ErrorDetails) =>
  new AppError(415, 'unsupported_media_type', message, { details });

/** Media of an accepted kind that cannot be decoded: corrupt or truncated (422). */
export const corruptMedia = (message: string, details?: ErrorDetails) =>
  new AppError(422, 'corrupt_media', message, { details });

/** Over a configured limit (413); `details` names the limit and the value seen. */
export const tooLarge = (code: ErrorCode, message: string, details: ErrorDetails) =>
  new AppError(413, code, message, { details });
