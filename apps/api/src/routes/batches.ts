/**
 * Batches (packages/shared/src/batch-client.ts): `POST /batches/{task}` with a JSON array of inputs of a
 * JSON task, `{"items": [...], "webhook": ...}`, or JSON Lines; `GET /batches/{id}` (counts, progress),
 * `GET /batches/{id}/results` (JSON Lines in input order), `DELETE /batches/{id}`. Every item is validated
 * before anything is queued: one bad item refuses the batch, naming the items.
 */
import { Router, type Request } from 'express';
import { AppError, isTaskName, TASKS, type Task, type TaskName, type WebhookSpec } from '@ca/shared';
import type { AppDeps } from '../context.js';
import { checkTextLimits, takeWebhook } from '../services/validate.js';
import { unknownTask } from './tasks.js';

export const JSON_LINES = ['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines'];
const SHOWN_ERRORS = 20;

export function batchRoutes(deps: AppDeps): Router {
  const r = Router();
  const links = (id: string) => ({ self: `/batches/${id}`, results: `/batches/${id}/results` });

  r.post('/batches/:task', async (req, res) => {
    const name = String(req.params.task);
    if (!isTaskName(name)) throw unknownTask(name);
    const task: Task = TASKS[name];
    if (task.input.kind !== 'json') throw new AppError(422, 'batch_unsupported', 'batches take JSON tasks only (uploads go one job each)', { details: { task: name } });
    const { items, webhook } = await readItems(req, deps);
    if (items.length === 0) throw new AppError(422, 'validation_error', 'the batch has no items');
    if (items.length > deps.cfg.BATCH_MAX_ITEMS) {
      throw new AppError(413, 'batch_too_large', `a batch takes at most ${deps.cfg.BATCH_MAX_ITEMS} items`, { details: { limit_items: deps.cfg.BATCH_MAX_ITEMS, items: items.length } });
    }
    const inputs = validateItems(task, items, deps);
    await deps.workers.assertServed(name as TaskName, undefined, 'batch');
    const view = await deps.batches.submit(name as TaskName, inputs, { requestId: req.id, ...(req.owner ? { owner: req.owner } : {}), ...(webhook ? { webhook } : {}) });
    res.status(202).location(`/batches/${view.id}`).json({ ...view, links: links(view.id) });
  });

  r.get('/batches/:id', async (req, res) => {
    const v = await deps.batches.view(String(req.params.id), req.owner);
    res.json({ ...v, links: links(v.id) });
  });

  r.get('/batches/:id/results', async (req, res) => {
    const id = String(req.params.id);
    const results = deps.batches.results(id, req.owner);
    const first = await results.next(); // a 404 is thrown here, before the answer starts
    res.type('application/x-ndjson');
    if (!first.done) res.write(`${JSON.stringify(first.value)}\n`);
    for await (const line of results) res.write(`${JSON.stringify(line)}\n`);
    res.end();
  });

  r.delete('/batches/:id', async (req, res) => {
    const v = await deps.batches.cancel(String(req.params.id), req.owner);
    res.json({ ...v, links: links(v.id) });
  });
  return r;
}

/** The items of the body, and the batch's webhook (JSON object form only). */
async function readItems(req: Request, deps: AppDeps): Promise<{ items: unknown[]; webhook?: WebhookSpec }> {
  if (req.is(JSON_LINES)) {
    const text = typeof req.body === 'string' ? req.body : '';
    const items: unknown[] = [];
    for (const [i, line] of text.split('\n').entries()) {
      if (!line.trim()) continue;
      try {
        items.push(JSON.parse(line));
      } catch {
        throw new AppError(400, 'invalid_json', `line ${i + 1} is not JSON`, { details: { line: i + 1 } });
      }
    }
    return { items };
  }
  if (!req.is('application/json')) throw new AppError(415, 'unsupported_media_type', 'send the batch as application/json (an array, or {"items": [...]}) or as JSON Lines');
  const body: unknown = req.body;
  if (Array.isArray(body)) return { items: body };
  if (body && typeof body === 'object' && Array.isArray((body as { items?: unknown }).items)) {
    const fields = { ...(body as Record<string, unknown>) };
    const webhook = await takeWebhook(fields, deps.cfg, req.owner);
    const { items, ...rest } = fields as { items: unknown[] };
    if (Object.keys(rest).length) throw new AppError(422, 'validation_error', `unknown fields: ${Object.keys(rest).slice(0, 5).join(', ')}`);
    return { items, ...(webhook ? { webhook } : {}) };
  }
  throw new AppError(422, 'validation_error', 'the body must be a JSON array of inputs, or {"items": [...]}');
}

/** Every item through the task's contract and the text limits; the first failures named by index. */
function validateItems(task: Task, items: unknown[], deps: AppDeps): unknown[] {
  const bad: { index: number; issues: { path: string; message: string }[] }[] = [];
  const inputs = items.map((item, index) => {
    const parsed = task.input.schema.safeParse(item);
    if (!parsed.success) {
      if (bad.length < SHOWN_ERRORS) bad.push({ index, issues: parsed.error.issues.slice(0, 3).map((i) => ({ path: i.path.join('.'), message: i.message })) });
      return undefined;
    }
    try {
      checkTextLimits(task, parsed.data as Record<string, unknown>, deps.cfg);
    } catch (e) {
      if (bad.length < SHOWN_ERRORS) bad.push({ index, issues: [{ path: '', message: (e as Error).message }] });
    }
    return parsed.data;
  });
  if (bad.length) throw new AppError(422, 'validation_error', `${bad.length === SHOWN_ERRORS ? 'at least ' : ''}${bad.length} item(s) do not match the task`, { details: { items: bad } });
  return inputs;
}
