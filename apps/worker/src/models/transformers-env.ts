import { env } from '@huggingface/transformers';
import type { Config } from '@ca/shared';

/**
 * Point transformers.js at MODELS_DIR for both reading and downloading: its file cache stores
 * `<model id>/<file>` for the main revision, which is exactly the local-model layout, so a model
 * downloaded once is found locally next time (and `pnpm models:fetch` fills the same folder).
 */
export function configureTransformers(cfg: Pick<Config, 'modelsDir' | 'allowRemoteModels'>): void {
  env.localModelPath = cfg.modelsDir.endsWith('/') ? cfg.modelsDir : `${cfg.modelsDir}/`;
  env.cacheDir = cfg.modelsDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = cfg.allowRemoteModels;
  env.useFSCache = true;
}
