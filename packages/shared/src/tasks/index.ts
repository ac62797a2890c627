import { questionAnswering } from './question-answering.js';
import { summarizeText } from './summarize-text.js';
import { translateText } from './translate-text.js';
import { checkItemReturnEligibility } from './check-item-return-eligibility.js';
import { audioTranscribe } from './audio-transcribe.js';
import { audioTranscribeTranslate } from './audio-transcribe-translate.js';
import { extractText } from './extract-text.js';
import type { z } from 'zod';
import type { Domain } from '../config.js';
import type { ModelKey } from '../models.js';
import type { TaskContract } from './task.js';
export type { UploadMedia } from './task.js';

/** Every task the service offers. Adding a task = one contract here + one worker handler. */
export const TASKS = {
  'question-answering': questionAnswering,
  'summarize-text': summarizeText,
  'translate-text': translateText,
  'check-item-return-eligibility': checkItemReturnEligibility,
  'audio-transcribe': audioTranscribe,
  'audio-transcribe-translate': audioTranscribeTranslate,
  'extract-text': extractText,
} as const;

export type TaskName = keyof typeof TASKS;
export type Task = (typeof TASKS)[TaskName];
export type TaskInput<N extends TaskName> = z.output<(typeof TASKS)[N]['input']['schema']>;
export type TaskResult<N extends TaskName> = z.output<(typeof TASKS)[N]['result']>;

export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

export const isTaskName = (s: string): s is TaskName => Object.hasOwn(TASKS, s);

export const tasksOfDomain = (d: Domain): Task[] => Object.values(TASKS).filter((t) => t.domain === d);

/**
 * The domains a task's job needs: its own, and those of the tasks it hands work to (`dependsOn`), for
 * this input, or for some input when none is given (readiness).
 */
export function domainsOf(task: TaskName, input?: unknown): Domain[] {
  return [...new Set(tasksOf(task, input).map((t) => TASKS[t].domain))];
}

/** The tasks a request runs: the task, and the tasks it hands work to (for this input, if given). */
export function tasksOf(task: TaskName, input?: unknown): TaskName[] {
  const deps = (TASKS[task] as TaskContract).dependsOn;
  const chained = deps && (input === undefined || deps.when(input)) ? (deps.tasks as TaskName[]) : [];
  return [...new Set([task, ...chained])];
}

/** Models a worker serving these domains must load. */
export function modelsForDomains(domains: readonly Domain[]): ModelKey[] {
  return [...new Set(domains.flatMap((d) => tasksOfDomain(d).flatMap((t) => [...t.models])))];
}

export { questionAnswering, summarizeText, translateText, checkItemReturnEligibility, audioTranscribe, audioTranscribeTranslate, extractText };
export { defineTask, type TaskContract } from './task.js';
