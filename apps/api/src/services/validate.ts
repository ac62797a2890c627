/**
 * Turning a request into a task input: zod for JSON bodies and multipart fields, configured length
 * limits for text, magic bytes and cheap header checks for uploads. Every rejection is an AppError.
 */
import type { Request } from 'express';
import type { z } from 'zod';
import { AppError, isErrorCode, WEBHOOK_EVENTS, type Config, type Task, type WebhookSpec } from '@ca/shared';
import { AllowList, resolveTarget } from '../webhooks/address.js';
import { notConfigured } from '../webhooks/deliver.js';
import { webhookSecrets } from '../webhooks/sign.js';
import { probeUpload } from '@ca/media';

export interface ParsedTaskInput {
  input: unknown;
  upload?: { bytes: Buffer; mime: string };
  /** A callback asked for with `webhook` (and `webhook_events_filter`), its address checked. */
  webhook?: WebhookSpec;
}

/**
 * `webhook` and `webhook_events_filter` beside a task's own fields (JSON body or form fields): taken out
 * before the task input is validated, checked, and the URL's address judged after DNS resolution.
 */
export async function takeWebhook(body: Record<string, unknown>, cfg: Config, owner: string | undefined): Promise<WebhookSpec | undefined> {
  const { webhook: url, webhook_events_filter: filter } = body;
  delete body.webhook;
  delete body.webhook_events_filter;
  if (url === undefined) {
    if (filter !== undefined) throw new AppError(422, 'validation_error', 'webhook_events_filter needs a webhook', { details: { field: 'webhook_events_filter' } });
    return undefined;
  }
  if (typeof url !== 'string' || url.length > 2048) throw new AppError(422, 'webhook_refused', 'webhook must be a URL of at most 2048 characters', { details: { reason: 'not a URL' } });
  // JSON: an array; a form: one field per event, or one comma-separated field.
  const raw = filter === undefined ? [...WEBHOOK_EVENTS] : (Array.isArray(filter) ? filter : [filter]).flatMap((f) => (typeof f === 'string' ? f.split(',') : [f]));
  const events = raw.map((e) => (typeof e === 'string' ? e.trim() : e));
  const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly unknown[]).includes(e));
  if (unknown.length || !events.length) {
    throw new AppError(422, 'validation_error', `webhook_events_filter takes ${WEBHOOK_EVENTS.join(', ')}`, { details: { field: 'webhook_events_filter', supported: WEBHOOK_EVENTS } });
  }
  if (!webhookSecrets(cfg).for(owner)) throw notConfigured();
  await resolveTarget(url, new AllowList(cfg.WEBHOOK_ALLOW_PRIVATE));
  return { url, events: [...new Set(events as WebhookSpec['events'])] };
}

export function zodError(error: z.ZodError): AppError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));
  const special = error.issues.find((i) => i.code === 'custom' && (i as { params?: { errorCode?: string } }).params?.errorCode);
  if (special) {
    const params = (special as unknown as { params: { errorCode: string; supported?: readonly string[] } }).params;
    return new AppError(422, isErrorCode(params.errorCode) ? params.errorCode : 'validation_error', special.message, {
      details: { field: special.path.join('.'), ...(params.supported ? { supported: params.supported } : {}), issues },
    });
  }
  return new AppError(422, 'validation_error', 'the request does not match the schema', { details: { issues } });
}

export async function parseTaskInput(task: Task, req: Request, cfg: Config): Promise<ParsedTaskInput> {
  if (task.input.kind === 'json') {
    if (!req.is('application/json')) throw new AppError(415, 'unsupported_media_type', 'send the body as application/json');
    const body: unknown = req.body;
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
      throw new AppError(422, 'validation_error', 'the body must be a JSON object');
    const fields = { ...(body as Record<string, unknown>) };
    const webhook = await takeWebhook(fields, cfg, req.owner);
    const parsed = task.input.schema.safeParse(fields);
    if (!parsed.success) throw zodError(parsed.error);
    checkTextLimits(task, parsed.data as Record<string, unknown>, cfg);
    return { input: parsed.data, ...(webhook ? { webhook } : {}) };
  }
  const file = req.file;
  if (!file) throw new AppError(422, 'file_required', 'upload the file as multipart/form-data in the field "file"');
  const fields = { ...((req.body ?? {}) as Record<string, unknown>) };
  const webhook = await takeWebhook(fields, cfg, req.owner);
  const parsed = task.input.schema.safeParse(fields);
  if (!parsed.success) throw zodError(parsed.error);
  const bytes = file.buffer;
  const kind = await probeUpload(task.input.media, bytes, cfg);
  return { input: parsed.data, upload: { bytes, mime: kind.mime }, ...(webhook ? { webhook } : {}) };
}

export function checkTextLimits(task: Task, input: Record<string, unknown>, cfg: Config): void {
  for (const f of task.textFields) {
    const v = input[f];
    if (typeof v === 'string' && v.length > cfg.MAX_TEXT_CHARS) {
      throw new AppError(413, 'text_too_long', `"${f}" is over the limit of ${cfg.MAX_TEXT_CHARS} characters`, {
        details: { field: f, limit_chars: cfg.MAX_TEXT_CHARS, chars: v.length },
      });
    }
  }
}
