/**
 * The OpenAPI 3.1 document, generated from the task contracts (DESIGN §3): every task in TASKS gets its
 * synchronous and asynchronous route with the contract's own input and result schemas, converted by
 * zod 4's `z.toJSONSchema` (JSON Schema 2020-12 is OpenAPI 3.1's dialect). Nothing per task is written
 * by hand except request examples; adding a task to TASKS adds it here.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ACCEPTED, ACCEPTED_LABELS } from '@ca/media';
import { JOB_STATUSES, TASKS, WEBHOOK_EVENTS, type Config, type Task, type TaskName } from '@ca/shared';
import {
  errorResponses,
  errors,
  headers,
  HEADERS,
  PARAMETERS,
  RATE_HEADERS,
  ref,
  SECURITY_SCHEMES,
  taskSecurity,
  type Obj,
} from './components.js';
import { Batch, Deliveries, ErrorBody, Health, JobAccepted, JobView, LlmopsSummary, Readiness, Redelivery, RootInfo, toSchema } from './schemas.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Request examples shown (and pre-filled for "Try it out") in Swagger UI. */
const EXAMPLES: Partial<Record<TaskName, Record<string, { summary: string; value: Obj }>>> = {
  'question-answering': {
    returns: {
      summary: 'Return window',
      value: {
        context: 'Orders ship within 2 business days. Items can be returned within 30 days of delivery if they are unused and in their original packaging.',
        question: 'How many days do I have to return an item?',
      },
    },
  },
  'translate-text': {
    hindi: { summary: 'Hindi to English', value: { text: 'मेरा ऑर्डर अभी तक नहीं आया है।', src_lang: 'hi', target_lang: 'en' } },
    spanish: { summary: 'English to Spanish (ISO 639-3 codes)', value: { text: 'Your refund has been processed.', src_lang: 'eng', target_lang: 'spa' } },
  },
  'summarize-text': {
    chat: {
      summary: 'Support chat',
      value: {
        text: 'Customer: My blender arrived with a cracked jar. Agent: Sorry to hear that. Can you send a photo? Customer: Sent. Agent: Thanks, we will ship a replacement jar today at no cost and you do not need to return the broken one.',
        max_length: 60,
      },
    },
  },
};

/** One answer per task, shown under the 200 response (test: each one fits the task's result contract). */
export const RESULT_EXAMPLES: Record<TaskName, Obj> = {
  'question-answering': { question: 'How many days do I have to return an item?', answer: '30 days', score: 0.91, start: 78, end: 85 },
  'summarize-text': { summary: 'The blender jar arrived cracked; a replacement jar ships today at no cost and the broken one need not be returned.' },
  'translate-text': { translation: 'My order has not arrived yet.', src_lang: 'hi', target_lang: 'en' },
  'check-item-return-eligibility': {
    detection: {
      label: 'cracked',
      score: 0.72,
      defect: true,
      labels: [
        { label: 'cracked', score: 0.72 },
        { label: 'intact', score: 0.18 },
        { label: 'scratched', score: 0.1 },
      ],
    },
    eligible_for_return: true,
    reason: 'damage detected (cracked, 0.72 ≥ 0.5): returns are accepted for damaged items',
  },
  'audio-transcribe': { transcription: 'Hello, my order number is 4471 and the parcel never arrived.', language: 'en', duration_s: 4.2 },
  'audio-transcribe-translate': { transcription: 'मेरा ऑर्डर अभी तक नहीं आया है।', translation: 'My order has not arrived yet.', src_lang: 'hi', target_lang: 'en', duration_s: 3.1 },
  'extract-text': {
    text: 'ORDER #A1B2-77810\nTOTAL 45.67',
    lines: [
      { text: 'ORDER #A1B2-77810', confidence: 0.98, box: [24, 18, 310, 34], page: 1 },
      { text: 'TOTAL 45.67', confidence: 0.97, box: [24, 70, 190, 34], page: 1 },
    ],
    duration_ms: 412,
  },
};

/** From a 202 to the job it names (OpenAPI links: generated clients and Swagger UI follow them). */
const JOB_LINKS = {
  getJob: { operationId: 'getJob', parameters: { id: '$response.body#/id' }, description: 'Poll the job.' },
  jobEvents: { operationId: 'jobEvents', parameters: { id: '$response.body#/id' }, description: 'Follow the job as Server-Sent Events.' },
  cancelJob: { operationId: 'cancelJob', parameters: { id: '$response.body#/id' }, description: 'Cancel the job.' },
};

const WEBHOOK_FIELDS: Record<string, Obj> = {
  webhook: {
    type: 'string',
    format: 'uri',
    maxLength: 2048,
    description:
      'Call this http(s) URL back when the job has finished: a POST signed as the Standard Webhooks specification says (WEBHOOK_SECRET, or the API key’s own from WEBHOOK_KEY_SECRETS). ' +
      'Private, loopback and link-local addresses are refused (422 webhook_refused). See GET /jobs/{id}/deliveries.',
  },
  webhook_events_filter: {
    type: 'array',
    items: { type: 'string', enum: [...WEBHOOK_EVENTS] },
    description: 'Which events to call back for (default: both; `failed` includes a cancelled job). As form fields: repeat the field, or separate with commas.',
  },
};

const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase());
const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
const json = (schema: Obj): Obj => ({ 'application/json': { schema } });

/** Component schemas of one task: input (JSON body or multipart fields + file) and result. */
function taskSchemas(task: Task, cfg: Config): Record<string, Obj> {
  const p = pascal(task.name);
  const input = toSchema(task.input.schema, 'input');
  const props = (input.properties ?? {}) as Record<string, Obj>;
  // zod leaves a default out of an input schema when the field also transforms (language fields): the
  // default is what parsing an absent field gives.
  const shape = (task.input.schema as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
  for (const [k, field] of Object.entries(shape)) {
    const absent = field.safeParse(undefined);
    if (props[k] && absent.success && absent.data !== undefined && props[k].default === undefined) props[k].default = absent.data;
  }
  // Length limits are configuration (413 text_too_long), not part of the zod contract: add them here.
  for (const f of task.textFields) {
    const prop = props[f];
    if (prop) prop.maxLength = cfg.MAX_TEXT_CHARS;
  }
  const out: Record<string, Obj> = { [`${p}Result`]: toSchema(task.result, 'output') };
  if (task.input.kind === 'json') {
    // Beside the task's own fields: a callback when the job has finished (webhooks/, README "Webhooks").
    out[`${p}Input`] = { ...input, properties: { ...props, ...WEBHOOK_FIELDS } };
  } else {
    const media = task.input.media;
    const limit = media === 'audio' ? `${cfg.MAX_AUDIO_BYTES} bytes and ${cfg.MAX_AUDIO_SECONDS} s` : `${cfg.MAX_IMAGE_BYTES} bytes${media === 'document' ? ` (a PDF: its first ${cfg.MAX_PDF_PAGES} pages)` : ''}`;
    out[`${p}Upload`] = {
      ...input,
      // Not listed as properties: Swagger UI's "Try it out" would fill them with sample values.
      description: 'Also takes the form fields `webhook` and `webhook_events_filter`, as the JSON tasks do (README "Webhooks").',
      properties: {
        file: {
          type: 'string',
          format: 'binary',
          contentMediaType: 'application/octet-stream',
          description: `The ${media === 'document' ? 'photo or PDF' : media}: ${ACCEPTED_LABELS[media].join(', ')}; at most ${limit}. Its type is judged by its bytes.`,
        },
        ...props,
      },
      required: ['file', ...((input.required as string[] | undefined) ?? [])],
    };
  }
  return out;
}

function requestBody(task: Task): Obj {
  const p = pascal(task.name);
  if (task.input.kind === 'json') {
    const examples = EXAMPLES[task.name as TaskName];
    return { required: true, content: { 'application/json': { schema: ref('schemas', `${p}Input`), ...(examples ? { examples } : {}) } } };
  }
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: ref('schemas', `${p}Upload`),
        encoding: { file: { contentType: ACCEPTED[task.input.media].join(', ') } },
      },
    },
  };
}

/** `POST /{task}` and `POST /jobs/{task}`. */
function taskPaths(task: Task, cfg: Config): Record<string, Obj> {
  const p = pascal(task.name);
  const common = {
    tags: [task.domain],
    parameters: [ref('parameters', 'IdempotencyKey'), ref('parameters', 'RequestId')],
    requestBody: requestBody(task),
    security: taskSecurity(cfg),
  };
  const errs = errors(400, 401, 403, 408, 413, 415, 422, 429, 431, 500, 503);
  const sync = {
    ...common,
    operationId: camel(task.name),
    summary: task.summary,
    description:
      `Runs the task and answers with its result. If it is not done within ${cfg.SYNC_TIMEOUT_MS} ms the answer is 202 with the job ` +
      `(and its Location) to poll, so no work is lost.${task.cacheable ? ` Results are cached for ${cfg.CACHE_TTL_S} s (X-Cache).` : ''}`,
    responses: {
      '200': {
        description: 'The result.',
        headers: headers(...RATE_HEADERS, ...(task.cacheable ? ['X-Cache'] : [])),
        content: { 'application/json': { schema: ref('schemas', `${p}Result`), example: RESULT_EXAMPLES[task.name as TaskName] } },
      },
      '202': {
        description: 'Not finished in time: poll the job (a JobView, never a result).',
        headers: headers('Location', ...RATE_HEADERS),
        content: { 'application/json': { schema: ref('schemas', 'JobView'), example: { id: `${task.domain}_V1StGXR8_Z5jdHi6B-myTw`, task: task.name, status: 'active', created_at: '2026-12-01T09:30:00.000Z', started_at: '2026-12-01T09:30:00.120Z', attempts: 1, links: { self: `/jobs/${task.domain}_V1StGXR8_Z5jdHi6B-myTw` } } } },
        links: JOB_LINKS,
      },
      ...errs,
      ...errors(409),
    },
  };
  const async = {
    ...common,
    operationId: `submit${p}`,
    summary: `Submit ${task.name} as a job`,
    description: `Queues the task on the ${task.domain} queue and answers at once with the job id; poll \`GET /jobs/{id}\`.`,
    responses: {
      '202': {
        description: 'Accepted.',
        headers: headers('Location', ...RATE_HEADERS),
        content: { 'application/json': { schema: ref('schemas', 'JobAccepted'), example: { id: `${task.domain}_V1StGXR8_Z5jdHi6B-myTw`, task: task.name, status: 'queued', links: { self: `/jobs/${task.domain}_V1StGXR8_Z5jdHi6B-myTw` } } } },
        links: JOB_LINKS,
      },
      ...errs,
    },
  };
  return { [`/${task.name}`]: { post: sync }, [`/jobs/${task.name}`]: { post: async } };
}

/** Ops routes take no credentials. */
const OPEN: Obj[] = [];

function jobAndOpsPaths(cfg: Config): Record<string, Obj> {
  const security = taskSecurity(cfg);
  const jobView = (description: string) => ({ description, headers: headers(), content: json(ref('schemas', 'JobView')) });
  const ok = (description: string, schema: string) => ({ '200': { description, headers: headers(), content: json(ref('schemas', schema)) } });
  return {
    '/jobs/{id}': {
      parameters: [ref('parameters', 'JobId')],
      get: {
        tags: ['jobs'],
        operationId: 'getJob',
        summary: 'Read a job: status, and its result or error once finished',
        security,
        responses: { '200': jobView('The job.'), ...errors(401, 403, 404, 500, 503) },
      },
      delete: {
        tags: ['jobs'],
        operationId: 'cancelJob',
        summary: 'Cancel a job that has not finished',
        security,
        responses: {
          '200': jobView('A queued job was removed: status is cancelled.'),
          '202': jobView('An active job is being stopped: cancel_requested is true.'),
          ...errors(401, 403, 404, 409, 500, 503),
        },
      },
    },
    '/jobs': {
      get: {
        tags: ['jobs'],
        operationId: 'listJobs',
        summary: "The caller's own jobs, newest first, a page at a time (within RESULT_TTL_S)",
        security,
        parameters: [
          { name: 'task', in: 'query', required: false, schema: { type: 'string', enum: Object.keys(TASKS) } },
          { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: [...JOB_STATUSES] } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'cursor', in: 'query', required: false, description: 'next_cursor of the previous page.', schema: { type: 'string', maxLength: 300 } },
        ],
        responses: { ...ok('A page of jobs; next_cursor when there may be more.', 'JobList'), ...errors(401, 403, 422, 500, 503) },
      },
    },
    // One path per JSON task (not /batches/{task}: it would differ from /batches/{id} only by name).
    ...Object.fromEntries(
      (Object.values(TASKS) as Task[])
        .filter((t) => t.input.kind === 'json')
        .map((t) => {
          const input = ref('schemas', `${pascal(t.name)}Input`);
          return [
            `/batches/${t.name}`,
            {
              post: {
                tags: ['batches'],
                operationId: `submit${pascal(t.name)}Batch`,
                summary: `Submit many ${t.name} inputs as a batch`,
                description:
                  `A JSON array of inputs, \`{"items": [...], "webhook": ..., "webhook_events_filter": ...}\`, or JSON Lines (application/x-ndjson); at most ${cfg.BATCH_MAX_ITEMS} items and ${cfg.BATCH_MAX_BYTES} bytes. ` +
                  'Every item is validated first (422 names the bad ones by index). Items run after live calls (a lower priority); the webhook, if any, is sent as `batch.completed` when every item has finished. The batch costs one rate-limit token.',
                security,
                requestBody: {
                  required: true,
                  content: {
                    'application/json': {
                      schema: { oneOf: [{ type: 'array', items: input }, { type: 'object', required: ['items'], properties: { items: { type: 'array', items: input }, ...WEBHOOK_FIELDS } }] },
                      ...(EXAMPLES[t.name as TaskName] ? { examples: { batch: { summary: 'Two items', value: Object.values(EXAMPLES[t.name as TaskName]!).slice(0, 2).map((e) => e.value) } } } : {}),
                    },
                    'application/x-ndjson': { schema: { type: 'string', description: 'One JSON input per line.' } },
                  },
                },
                responses: {
                  '202': { description: 'Accepted.', headers: headers('Location', ...RATE_HEADERS), content: json(ref('schemas', 'Batch')), links: { getBatch: { operationId: 'getBatch', parameters: { id: '$response.body#/id' }, description: 'Read the batch.' } } },
                  ...errors(400, 401, 403, 413, 415, 422, 429, 500, 503),
                },
              },
            },
          ];
        }),
    ),
    '/batches/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^batch_[A-Za-z0-9_-]{22}$' } }],
      get: { tags: ['batches'], operationId: 'getBatch', summary: 'A batch: counts per state and progress', security, responses: { ...ok('The batch.', 'Batch'), ...errors(401, 403, 404, 500, 503) } },
      delete: { tags: ['batches'], operationId: 'cancelBatch', summary: 'Cancel the items of a batch not yet run', security, responses: { ...ok('The batch, cancelled.', 'Batch'), ...errors(401, 403, 404, 500, 503) } },
    },
    '/batches/{id}/results': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^batch_[A-Za-z0-9_-]{22}$' } }],
      get: {
        tags: ['batches'],
        operationId: 'batchResults',
        summary: 'The items as JSON Lines, in input order: {index, id, status, result | error}',
        security,
        responses: { '200': { description: 'One line per item.', headers: headers(), content: { 'application/x-ndjson': { schema: { type: 'string' } } } }, ...errors(401, 403, 404, 500, 503) },
      },
    },
    '/jobs/{id}/events': {
      parameters: [ref('parameters', 'JobId')],
      get: {
        tags: ['jobs'],
        operationId: 'jobEvents',
        summary: 'Follow a job as Server-Sent Events until it has finished',
        description:
          'Events `queued`, `active`, `progress` (`{done, total, unit}` for tasks with steps), then one of `completed` (the job with its result), `failed` or `cancelled`, after which the stream ends. ' +
          'Each event has an id; reconnect with `Last-Event-ID` to be sent what was missed (204 when the job had already ended there, which stops an EventSource). A comment every 15 s keeps proxies from closing the stream.',
        security,
        parameters: [{ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^\\d+-\\d+$' } }],
        responses: {
          '200': { description: 'The event stream.', headers: headers(), content: { 'text/event-stream': { schema: { type: 'string' } } } },
          '204': { description: 'Reconnected after the final event: nothing more will come.' },
          ...errors(401, 403, 404, 500, 503),
        },
      },
    },
    '/jobs/{id}/deliveries': {
      parameters: [ref('parameters', 'JobId')],
      get: {
        tags: ['jobs'],
        operationId: 'getDeliveries',
        summary: "The job's webhook deliveries: every attempt with its time, answer status, latency and error",
        security,
        responses: { ...ok('The delivery log, oldest attempt first.', 'Deliveries'), ...errors(401, 403, 404, 500, 503) },
      },
    },
    '/jobs/{id}/deliveries/redeliver': {
      parameters: [ref('parameters', 'JobId')],
      post: {
        tags: ['jobs'],
        operationId: 'redeliver',
        summary: "Send a finished job's webhook once more (same webhook-id: receivers de-duplicate on it)",
        security,
        responses: { '202': { description: 'Queued.', headers: headers(), content: json(ref('schemas', 'Redelivery')) }, ...errors(401, 403, 404, 409, 500, 503) },
      },
    },
    '/': { get: { tags: ['ops'], operationId: 'getRoot', summary: 'Name, version, links and the task list', security: OPEN, responses: { ...ok('Service information.', 'RootInfo'), ...errors(400) } } },
    '/healthz': { get: { tags: ['ops'], operationId: 'healthz', summary: 'Liveness: the process answers', security: OPEN, responses: { ...ok('Alive.', 'Health'), ...errors(400) } } },
    '/readyz': {
      get: {
        tags: ['ops'],
        operationId: 'readyz',
        summary: 'Readiness: Redis reachable and every task run by a live worker with its models loaded',
        security: OPEN,
        responses: {
          ...ok('Ready.', 'Readiness'),
          ...errors(400),
          '503': { description: 'Not ready; the body says what is missing.', headers: headers('Retry-After'), content: json(ref('schemas', 'Readiness')) },
        },
      },
    },
    '/metrics': {
      get: {
        tags: ['ops'],
        operationId: 'metrics',
        summary: 'Prometheus metrics of this API process',
        security: OPEN,
        responses: { '200': { description: 'Prometheus text exposition format.', headers: headers(), content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors(400) },
      },
    },
    '/llmops/summary': {
      get: {
        tags: ['ops'],
        operationId: 'llmopsSummary',
        summary: 'LLMOps aggregates over a time window, overall and per task, across all processes',
        security: OPEN,
        parameters: [ref('parameters', 'Window')],
        responses: { ...ok('The summary.', 'LlmopsSummary'), ...errors(422, 503) },
      },
    },
  };
}

const DESCRIPTION = `AI work for customer service: question answering, summaries, translation, return-eligibility photo checks, OCR and speech.

* **Synchronous** routes (\`POST /{task}\`) answer with the result, or with 202 and the job to poll when it takes longer than the synchronous timeout.
* **Asynchronous** routes (\`POST /jobs/{task}\`) answer 202 at once; poll \`GET /jobs/{id}\`, cancel with \`DELETE /jobs/{id}\`.
* Errors are always \`{"error": {"code", "message", "details?"}}\`; 429 and 503 carry \`Retry-After\`.
* Task routes are rate limited per API key (or client IP) and report \`RateLimit-*\` headers.
* When the service has API keys configured, send one as \`Authorization: Bearer <key>\` or \`X-API-Key\`.`;

/** The document for this configuration (limits and timeouts in descriptions come from it). */
export function buildOpenApi(cfg: Config): Obj {
  const schemas: Record<string, Obj> = {
    Error: toSchema(ErrorBody, 'output'),
    JobAccepted: toSchema(JobAccepted, 'output'),
    JobView: toSchema(JobView, 'output'),
    RootInfo: toSchema(RootInfo, 'output'),
    Health: toSchema(Health, 'output'),
    Readiness: toSchema(Readiness, 'output'),
    Deliveries: toSchema(Deliveries, 'output'),
    Batch: toSchema(Batch, 'output'),
    JobList: { type: 'object', required: ['jobs'], properties: { jobs: { type: 'array', items: ref('schemas', 'JobView') }, next_cursor: { type: 'string' } } },
    Redelivery: toSchema(Redelivery, 'output'),
    LlmopsSummary: toSchema(LlmopsSummary, 'output'),
  };
  const paths: Record<string, Obj> = {};
  const tasks = Object.values(TASKS) as Task[];
  for (const t of tasks) {
    Object.assign(schemas, taskSchemas(t, cfg));
    Object.assign(paths, taskPaths(t, cfg));
  }
  // A job's result is one of the task results: say so, so generated clients get a typed union.
  const jobProps = schemas.JobView!.properties as Record<string, Obj>;
  jobProps.result = { description: jobProps.result?.description, anyOf: tasks.map((t) => ref('schemas', `${pascal(t.name)}Result`)) };
  Object.assign(paths, jobAndOpsPaths(cfg));

  return {
    openapi: '3.1.0',
    // Relative: the server that serves this document (Swagger UI calls the same origin).
    servers: [{ url: '/', description: 'This CustomerAssist server' }],
    info: { title: 'CustomerAssist API', version: VERSION, description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [
      { name: 'nlp', description: 'Text tasks (question answering, summaries, translation).' },
      { name: 'vision', description: 'Photo tasks (return eligibility, OCR).' },
      { name: 'audio', description: 'Speech tasks (transcription, translation).' },
      { name: 'jobs', description: 'Asynchronous jobs: read and cancel.' },
      { name: 'batches', description: 'Many inputs of one JSON task under one id, run after live calls.' },
      { name: 'ops', description: 'Health, readiness, metrics and LLMOps (no auth, not rate limited).' },
    ],
    paths,
    components: { schemas, headers: HEADERS, responses: errorResponses(JSON.stringify(paths)), parameters: PARAMETERS, securitySchemes: SECURITY_SCHEMES },
  };
}
