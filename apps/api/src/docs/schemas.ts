/**
 * Zod shapes of the bodies that are not task contracts (errors, jobs, ops endpoints), and the one
 * conversion from zod to JSON Schema 2020-12 (the dialect of OpenAPI 3.1). They are written in zod, like
 * the contracts, so the document and the client are generated the same way for every body.
 */
import { z } from 'zod';
import { ERROR_CODES, JOB_STATUSES, LOAD_FAILURES, TASK_NAMES, type ErrorCode } from '@ca/shared';

type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as an OpenAPI 3.1 schema object. `io: 'input'` describes what a client may send
 * (defaults optional, transforms seen from their input side); `'output'` what the service answers.
 */
export function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]).describe('Stable, machine-readable code (clients switch on it); README "Errors" lists them all.'),
      message: z.string().describe('Human-readable explanation.'),
      details: z.record(z.string(), z.unknown()).optional().describe('Safe extra facts: zod issues, limits, supported values.'),
    }),
  })
  .describe('Every error the API answers with has this shape.');

const JobStatus = z.enum(JOB_STATUSES);
const JobLinks = z.object({ self: z.string().describe('Poll this URL for the job.') });
const TaskNameSchema = z.enum(TASK_NAMES as [string, ...string[]]);

export const JobAccepted = z
  .object({ id: z.string().describe('Random, unguessable job id.'), task: TaskNameSchema, status: JobStatus, links: JobLinks })
  .describe('A job that was accepted; poll `links.self` (also in the Location header).');

export const JobView = z
  .object({
    id: z.string(),
    task: TaskNameSchema,
    status: JobStatus,
    // `result` is replaced by a union of the task result schemas in the document (see openapi.ts).
    result: z.unknown().optional().describe('The task result (present when status is completed).'),
    error: z
      .object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })
      .optional()
      .describe('Why the job failed (present when status is failed).'),
    created_at: z.string().describe('ISO 8601 time.'),
    started_at: z.string().optional(),
    finished_at: z.string().optional(),
    attempts: z.number().int().min(0),
    cancel_requested: z.boolean().optional().describe('DELETE on an active job: the worker was asked to stop it.'),
    links: JobLinks,
  })
  .describe('The state of a job.');

export const RootInfo = z.object({
  name: z.string(),
  version: z.string(),
  message: z.string().describe('What this service is and where to start.'),
  links: z.record(z.string(), z.string()),
  tasks: z.array(z.object({ name: z.string(), domain: z.string(), sync: z.string(), async: z.string(), summary: z.string() })),
});

export const Health = z.object({ status: z.literal('ok'), uptime_s: z.number() });

export const Readiness = z.object({
  status: z.enum(['ready', 'not_ready', 'draining']),
  redis: z.enum(['ok', 'unreachable']),
  summary: z.string().describe('For example "7 of 7 tasks served".'),
  workers: z.object({ ready: z.number().int(), loading: z.number().int().describe('Still loading (or downloading) their models.'), draining: z.number().int() }),
  domains: z.record(
    z.string(),
    z.object({
      ready: z.boolean().describe('Every task of the domain is served.'),
      workers: z.number().int().describe('Ready workers that consume this domain (they run at least one of its tasks).'),
      tasks: z.array(z.string()).describe('The tasks of this domain some worker runs now.'),
      providers: z.array(z.string()),
      models: z.array(z.string()),
      problems: z.array(z.string()).optional(),
    }),
  ),
  tasks: z
    .record(z.string(), z.object({ ready: z.boolean(), domains: z.array(z.string()) }))
    .describe('Per task: ready when a worker has every model it needs, and so do the tasks it hands work to.'),
  failed_models: z
    .array(z.object({ key: z.string(), model: z.string(), reason: z.enum(LOAD_FAILURES), error: z.string() }))
    .optional()
    .describe('Every model a worker failed to load, with why (README "Models" says what to do).'),
  unready: z.array(z.string()).optional().describe('Domains with a task not served.'),
});

export const Deliveries = z.object({
  job_id: z.string(),
  webhook: z.object({ url: z.string().describe('Origin and path (the query is not shown).'), events: z.array(z.string()) }).optional(),
  deliveries: z.array(
    z.object({
      attempt: z.number().int(),
      at: z.string(),
      event: z.string(),
      status: z.number().int().optional().describe("The receiver's answer; absent when there was none."),
      latency_ms: z.number(),
      error: z.string().optional(),
      outcome: z.enum(['delivered', 'retry', 'stopped']),
    }),
  ),
});

export const Batch = z.object({
  id: z.string(),
  task: z.string(),
  status: z.enum(['running', 'completed', 'cancelled']),
  total: z.number().int(),
  counts: z.object({ pending: z.number().int(), completed: z.number().int(), failed: z.number().int(), cancelled: z.number().int() }),
  progress: z.number().min(0).max(1),
  created_at: z.string(),
  finished_at: z.string().optional(),
  links: z.object({ self: z.string(), results: z.string() }).optional(),
});

export const Redelivery = z.object({ job_id: z.string(), redelivery: z.literal('queued'), links: z.object({ deliveries: z.string() }) });

const nullableNum = z.number().nullable();
const Stats = z.object({
  count: z.number().int(),
  throughput_per_s: z.number(),
  errors: z.number().int(),
  error_rate: nullableNum,
  latency_ms: z.object({ avg: nullableNum, p50: nullableNum, p95: nullableNum, p99: nullableNum }),
  queue_wait_ms: z.object({ avg: nullableNum, p95: nullableNum }),
  inference_ms: z.object({ avg: nullableNum }),
  tokens: z.object({ in: z.number().int(), out: z.number().int() }),
  quality_mean: nullableNum.describe('Mean quality score 0..1 (0 for errors; see the README for the formula).'),
  cache_hits: z.number().int(),
  cache_hit_ratio: nullableNum,
});

export const LlmopsSummary = z.object({
  window_s: z.number(),
  from: z.string(),
  to: z.string(),
  truncated: z.boolean().describe('True when the window held more events than one summary reads.'),
  overall: Stats,
  by_task: z.record(z.string(), Stats),
});
