/**
 * A task contract: everything the API, the worker and the OpenAPI document must agree on for one task.
 * Routes, job validation, the worker's handler map and the docs are all derived from these entries.
 */
import { z } from 'zod';
import type { Domain } from '../config.js';
import type { ModelKey } from '../models.js';

export type JsonInput<S extends z.ZodType> = { kind: 'json'; schema: S };
/** 'document': an image or a PDF (extract-text). */
export type UploadMedia = 'image' | 'audio' | 'document';
export type UploadInput<S extends z.ZodType> = { kind: 'upload'; media: UploadMedia; schema: S };

export interface TaskContract<
  N extends string = string,
  I extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  name: N;
  domain: Domain;
  summary: string;
  input: JsonInput<I> | UploadInput<I>;
  result: R;
  /** Results may be served from the response cache (pure function of input + model). */
  cacheable: boolean;
  /** Cache key over the input exactly as sent (results that point into the input, like QA offsets). */
  cacheExact?: boolean;
  /** Text fields checked against MAX_TEXT_CHARS (413 text_too_long). */
  textFields: readonly string[];
  /** Registry models the handler needs; a worker loads those of its domains. */
  models: readonly ModelKey[];
  /**
   * Tasks this one may hand work to, as child jobs of a flow (the worker's chain.ts), and for which
   * inputs. Admission and per-task readiness require their domains to be served too.
   */
  dependsOn?: { tasks: readonly string[]; when: (input: z.output<I>) => boolean };
}

export const defineTask = <N extends string, I extends z.ZodType, R extends z.ZodType>(c: TaskContract<N, I, R>) => c;

/** Text output fields are cut at MAX_RESPONSE_CHARS; `truncated` says so. */
export const truncatedFlag = z.boolean().optional().describe('true when a text field was cut at MAX_RESPONSE_CHARS');
