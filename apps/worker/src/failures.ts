import { UnrecoverableError } from 'bullmq';
import { failureOf, type WireFailure } from '@ca/shared';

/**
 * Turn any error into what BullMQ stores: its message is the JSON failure the API answers with.
 * Failures that retrying cannot fix (bad input, decode errors, cancellation) become UnrecoverableError,
 * so BullMQ fails the job at once instead of spending attempts on it.
 */
export function toBullError(err: unknown): { error: Error; failure: WireFailure } {
  const failure = failureOf(err);
  const { retryable, ...stored } = failure;
  const text = JSON.stringify(stored);
  return { error: retryable ? new Error(text) : new UnrecoverableError(text), failure };
}
