import { env } from '@huggingface/transformers';
import type { Config } from '@ca/shared';

/**
 * Point transformers.js at MODELS_DIR for both reading and downloading: its file cache stores
 * `<model id>/<file>` for the main revision, which is exactly the local-model layout, so a model
 * downloaded once is found locally next time (and `pnpm models:fetch` fills the same folder).
 */
export function configureTransformers(cfg: Pick<Config, 'modelsDir' | 'allowRemoteModels'> & Partial<Pick<Config, 'HF_ENDPOINT' | 'HF_TOKEN'>>): void {
  env.localModelPath = cfg.modelsDir.endsWith('/') ? cfg.modelsDir : `${cfg.modelsDir}/`;
  env.cacheDir = cfg.modelsDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = cfg.allowRemoteModels;
  env.useFSCache = true;
  if (cfg.HF_ENDPOINT) env.remoteHost = cfg.HF_ENDPOINT.endsWith('/') ? cfg.HF_ENDPOINT : `${cfg.HF_ENDPOINT}/`;
  // transformers.js reads the token from the environment itself (and sends it to huggingface.co only);
  // set from the config, so that a token from .env reaches it too (in this thread's copy of the env).
  if (cfg.HF_TOKEN) process.env.HF_TOKEN = cfg.HF_TOKEN;
}
