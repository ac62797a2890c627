/**
 * Turning a request into a task input: zod for JSON bodies and multipart fields, configured length
 * limits for text, magic bytes and cheap header checks for uploads. Every rejection is an AppError.
 */
import type { Request } from 'express';
import type { z } from 'zod';
import { AppError, type Config, type Task } from '@ca/shared';
import { probeAudio, probeImage, sniffMedia } from '@ca/media';

export interface ParsedTaskInput {
  input: unknown;
  upload?: { bytes: Buffer; mime: string };
}

export function zodError(error: z.ZodError): AppError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));
  const special = error.issues.find((i) => i.code === 'custom' && (i as { params?: { errorCode?: string } }).params?.errorCode);
  if (special) {
    const params = (special as unknown as { params: { errorCode: string; supported?: readonly string[] } }).params;
    return new AppError(422, params.errorCode, special.message, {
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
    const parsed = task.input.schema.safeParse(body);
    if (!parsed.success) throw zodError(parsed.error);
    checkTextLimits(task, parsed.data as Record<string, unknown>, cfg);
    return { input: parsed.data };
  }
  const file = req.file;
  if (!file) throw new AppError(422, 'file_required', 'upload the file as multipart/form-data in the field "file"');
  const parsed = task.input.schema.safeParse(req.body ?? {});
  if (!parsed.success) throw zodError(parsed.error);
  const bytes = file.buffer;
  const kind = await sniffMedia(bytes, task.input.media);
  if (task.input.media === 'image') await probeImage(bytes, { maxBytes: cfg.MAX_IMAGE_BYTES, maxPixels: cfg.MAX_IMAGE_PIXELS });
  else await probeAudio(bytes, { maxBytes: cfg.MAX_AUDIO_BYTES, maxSeconds: cfg.MAX_AUDIO_SECONDS });
  return { input: parsed.data, upload: { bytes, mime: kind.mime } };
}

function checkTextLimits(task: Task, input: Record<string, unknown>, cfg: Config): void {
  for (const f of task.textFields) {
    const v = input[f];
    if (typeof v === 'string' && v.length > cfg.MAX_TEXT_CHARS) {
      throw new AppError(413, 'text_too_long', `"${f}" is over the limit of ${cfg.MAX_TEXT_CHARS} characters`, {
        details: { field: f, limit_chars: cfg.MAX_TEXT_CHARS, chars: v.length },
      });
    }
  }
}
