/**
 * A handler's way to hand the rest of its work to another task. It returns a Continuation instead of
 * its result; the worker then runs that task as a child job of this one (chain.ts) and, when the child
 * completes, this job completes with `partial` plus the child's fields named in `merge`. The handler
 * never waits for another job itself: the parent releases its worker slot while the child runs.
 */
import type { TaskInput, TaskName, TaskResult } from '@ca/shared';

export class Continuation<N extends TaskName = TaskName> {
  constructor(
    readonly task: N,
    readonly input: TaskInput<N>,
    /** The parent's result so far (all its fields but those merged from the child). */
    readonly partial: Record<string, unknown>,
    /** Parent field ← child result field. */
    readonly merge: Record<string, keyof TaskResult<N> & string>,
  ) {}

  /** What crosses the thread boundary and is stored in the job (a class does not survive either). */
  toJSON(): ContinuationData {
    return { task: this.task, input: this.input, partial: this.partial, merge: this.merge };
  }
}

export interface ContinuationData {
  task: TaskName;
  input: unknown;
  partial: Record<string, unknown>;
  merge: Record<string, string>;
}

/** The parent's result: its partial result with the child's fields merged in. */
export function mergeChild(c: Pick<ContinuationData, 'partial' | 'merge'>, child: unknown): Record<string, unknown> {
  const from = (child ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...c.partial };
  for (const [to, field] of Object.entries(c.merge)) out[to] = from[field];
  return out;
}
