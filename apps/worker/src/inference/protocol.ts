/** Messages between a worker process's main thread and its inference thread. */
import type { Config, Domain, TaskName, WireFailure } from '@ca/shared';
import type { InferenceReport } from '../handlers/types.js';
import type { ContinuationData } from '../handlers/continuation.js';
import type { ModelStatus } from '@ca/shared';

export interface LoadReply {
  status: ModelStatus[];
  /** The tasks whose models are all loaded. */
  tasks: TaskName[];
  providers: string[];
}

export interface RunRequest {
  task: TaskName;
  input: unknown;
  /** The upload's bytes; the thread decodes them as the task's contract says (its `input.media`). */
  upload?: Uint8Array;
  requestId: string;
  /** The job's BullMQ priority (0 = a live job): its model calls' place in line (inference/turns.ts). */
  priority: number;
}

/** The handler's result, or (`next`) the rest of the work handed to another task. */
export interface RunReply {
  value?: unknown;
  next?: ContinuationData;
  reports: InferenceReport[];
}

export type ToThread =
  | { op: 'load'; id: number; cfg: Config; domains: Domain[] }
  | { op: 'run'; id: number; req: RunRequest }
  | { op: 'cancel'; id: number }
  /**
   * End the thread from inside: refuse new runs, abort the running ones when asked, wait for them,
   * release the models, then exit. The thread is never terminated from outside (see threads/spawn.ts).
   */
  | { op: 'close'; id: number; abortRunning: boolean }
  /** Fault injection (FAULT_INJECTION=true only): an uncaught exception in the thread, as a bug would throw. */
  | { op: 'crash'; id: number };

export type FromThread =
  | { op: 'reply'; id: number; ok: true; value: unknown }
  | { op: 'reply'; id: number; ok: false; failure: WireFailure }
  /** A step of a running job (HandlerContext.progress). */
  | { op: 'progress'; id: number; data: RunProgress };

export interface RunProgress {
  done: number;
  total: number;
  unit: string;
}
