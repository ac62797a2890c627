/**
 * The models of one worker process: loaded once, warmed, looked up by registry key, disposed on exit.
 * A model that fails to load takes its domain out of service (reported in the heartbeat, so the API
 * answers 503 for it) instead of taking the whole process down.
 */
import { LOAD_FAILURES, modelRegistry, type LoadFailure, modelsForDomains, TASKS, tasksOfDomain, type Config, type Domain, type Logger, type ModelKey, type AppError, type ModelStatus, type TaskName } from '@ca/shared';
import { loadModel, type LoadedModel } from './loader.js';
import { configureTransformers } from './transformers-env.js';


export class ModelHost {
  private readonly loaded = new Map<ModelKey, LoadedModel>();
  private readonly failed = new Map<ModelKey, AppError>();

  constructor(
    private readonly cfg: Config,
    private readonly log: Logger,
  ) {}

  async loadFor(domains: readonly Domain[]): Promise<void> {
    configureTransformers(this.cfg);
    const registry = modelRegistry(this.cfg);
    // One at a time: loading two large models at once only doubles peak memory. Models already loaded
    // are kept, so calling this again retries only the ones that failed.
    for (const key of modelsForDomains(domains)) {
      if (this.loaded.has(key)) continue;
      const spec = registry[key];
      try {
        const m = await loadModel(spec, this.cfg, this.log);
        this.failed.delete(key);
        this.loaded.set(key, m);
        this.log.info({ model: spec.model, key, provider: m.provider, load_ms: Math.round(m.loadMs) }, 'model ready');
      } catch (err) {
        this.failed.set(key, err as AppError);
        this.log.error({ model: spec.model, key, err: (err as Error).message }, 'model could not be loaded');
      }
    }
  }

  get(key: ModelKey): LoadedModel {
    const m = this.loaded.get(key);
    if (!m) throw this.failed.get(key) ?? new Error(`model ${key} is not loaded in this worker`);
    return m;
  }

  /** A task can run here when every model it needs is loaded (extract-text with OCR, whatever CLIP did). */
  taskReady(t: TaskName): boolean {
    return TASKS[t].models.every((k) => this.loaded.has(k));
  }

  /** The tasks of these domains that can run here now. */
  readyTasks(domains: readonly Domain[]): TaskName[] {
    return domains.flatMap((d) => tasksOfDomain(d).map((t) => t.name as TaskName)).filter((t) => this.taskReady(t));
  }

  status(): ModelStatus[] {
    return [
      ...[...this.loaded.values()].map((m) => ({ key: m.spec.key, model: m.spec.model, provider: m.provider, load_ms: Math.round(m.loadMs) })),
      ...[...this.failed.entries()].map(([key, e]) => ({
        key,
        model: modelRegistry(this.cfg)[key].model,
        error: e.message,
        ...((LOAD_FAILURES as readonly unknown[]).includes(e.details?.reason) ? { reason: e.details!.reason as LoadFailure } : {}),
      })),
    ];
  }

  providers(): string[] {
    return [...new Set([...this.loaded.values()].map((m) => m.provider))];
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([...this.loaded.values()].map((m) => m.dispose()));
    this.loaded.clear();
  }
}
