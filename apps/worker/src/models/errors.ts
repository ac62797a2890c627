import { AppError } from '@ca/shared';

/** A model that cannot be loaded: names the model and where it was looked for. */
export function modelUnavailable(model: string, modelsDir: string, remote: boolean, cause: unknown): AppError {
  const why = cause instanceof Error ? cause.message.split('\n')[0]!.slice(0, 300) : String(cause);
  const where = remote ? `${modelsDir}/${model} or the Hugging Face Hub` : `${modelsDir}/${model} (remote downloads are off)`;
  return new AppError(503, 'model_unavailable', `model "${model}" could not be loaded from ${where}: ${why}`, {
    details: { model, models_dir: modelsDir, remote_allowed: remote },
    retryable: false,
    cause,
  });
}
