import { AppError, type LoadFailure } from '@ca/shared';

/** What the error of transformers.js (or the OCR loader) says about the cause. */
export function classify(cause: unknown, remote: boolean): LoadFailure {
  const text = `${cause instanceof Error ? cause.message : String(cause)} ${(cause as { cause?: { code?: string; message?: string } })?.cause?.code ?? ''}`;
  if (/\b(401|403)\b|unauthori[sz]ed|forbidden|gated/i.test(text)) return 'token_refused';
  if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|timed? ?out|network/i.test(text)) return 'no_route_to_hub';
  if (/\b404\b|could not locate|not found|no such file|ENOENT/i.test(text)) return remote ? 'not_on_hub' : 'not_in_folder';
  return 'load_failed';
}

const SAY: Record<LoadFailure, string> = {
  no_route_to_hub: 'the Hugging Face Hub cannot be reached from here',
  token_refused: 'the Hub refused the request (gated or private model: set HF_TOKEN)',
  not_on_hub: 'the Hub has no such model or file',
  not_in_folder: 'it is not in the models folder and downloads are off',
  load_failed: 'its files could not be loaded',
};

/** A model that cannot be loaded: names the model, where it was looked for, and why. */
export function modelUnavailable(model: string, modelsDir: string, remote: boolean, cause: unknown): AppError {
  const why = cause instanceof Error ? cause.message.split('\n')[0]!.slice(0, 300) : String(cause);
  const reason = classify(cause, remote);
  const where = remote ? `${modelsDir}/${model} or the Hugging Face Hub` : `${modelsDir}/${model} (remote downloads are off)`;
  return new AppError(503, 'model_unavailable', `model "${model}" could not be loaded from ${where}: ${SAY[reason]} (${why})`, {
    details: { model, models_dir: modelsDir, remote_allowed: remote, reason },
    retryable: false,
    cause,
  });
}
