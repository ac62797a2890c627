import type { Config, Logger, TaskInput, TaskName, TaskResult } from '@ca/shared';
import type { DecodedUpload } from '@ca/media';
import type { ModelHost } from '../models/host.js';
import type { Continuation } from './continuation.js';

/** What a handler may report about its inference, for metrics and the LLMOps event. */
export interface InferenceReport {
  model: string;
  inferenceMs: number;
  tokensIn?: number;
  tokensOut?: number;
  /** The model's own confidence (0..1) where it has one. */
  confidence?: number;
}

export interface HandlerContext {
  cfg: Config;
  models: ModelHost;
  log: Logger;
  signal: AbortSignal;
  report(r: InferenceReport): void;
  /** Steps done of a task that has several (QA windows, translation pieces): the job's progress events. */
  progress(done: number, total: number, unit: string): void;
  /** Throw if the job was cancelled meanwhile. */
  checkCancelled(): void;
  /** Run one model call in this job's turn (inference/turns.ts): one call at a time, live jobs first. */
  turn<T>(fn: () => Promise<T>): Promise<T>;
}

/** The decoded upload (@ca/media decodeUpload): `image`, `audio` or `document`, by the task's media. */
export type MediaInput = DecodedUpload;

/** A handler answers with its result, or hands the rest of the work to another task (continuation.ts). */
export type Handler<N extends TaskName> = (input: TaskInput<N>, media: MediaInput, ctx: HandlerContext) => Promise<TaskResult<N> | Continuation>;

/** One handler per task; a missing entry does not compile (and is checked again at start-up). */
export type HandlerMap = { [N in TaskName]: Handler<N> };

