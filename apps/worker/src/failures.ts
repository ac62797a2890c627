import { UnrecoverableError } from 'bullmq';
import { AppError, isAppError, type JobFailure } from '@ca/shared';

/**
 * Turn any error into what BullMQ stores: its message is the JSON failure the API answers with.
 * AppErrors that retrying cannot fix (bad input, decode errors, cancellation) become UnrecoverableError,
 * so BullMQ fails the job at once instead of spending attempts on it.
 */
export function toBullError(err: unknown): Error {
  const failure: JobFailure = isAppError(err)
    ? err.toJSON()
    : { status: 500, code: 'inference_failed', message: 'the model failed to process this input' };
  const text = JSON.stringify(failure);
  return isAppError(err) && !err.retryable ? new UnrecoverableError(text) : new Error(text);
}

export const cancelledError = () => new AppError(409, 'cancelled', 'the job was cancelled', { retryable: false });
