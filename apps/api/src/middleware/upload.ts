import type { RequestHandler } from 'express';
import multer from 'multer';
import { AppError, type Config, type Domain, type Task } from '@ca/shared';
import { maxUploadBytes } from '@ca/media';

/**
 * Multipart for upload tasks: memory storage (the API never writes uploads to disk), exactly one file in
 * the field "file", a size limit per media kind, and small limits on everything else. Reading, parsing
 * and probing an upload is the costly part of such a request, so a full queue refuses it first
 * (`roomFor`; Node discards the unread body).
 */
export function uploadFor(task: Task, cfg: Config, roomFor: (domain: Domain) => Promise<void>): RequestHandler {
  if (task.input.kind !== 'upload') return (_req, _res, next) => next();
  const maxBytes = maxUploadBytes(task.input.media, cfg);
  const m = multer({
    storage: multer.memoryStorage(),
    // fieldSize: a webhook URL may be 2048 characters.
    limits: { fileSize: maxBytes, files: 1, fields: 8, parts: 9, fieldSize: 4096, fieldNameSize: 64, headerPairs: 50 },
  }).single('file');
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return next(new AppError(415, 'unsupported_media_type', 'send the file as multipart/form-data in the field "file"'));
    roomFor(task.domain).then(() => parse(req, res, next), next);
  };
  function parse(...[req, res, next]: Parameters<RequestHandler>): void {
    m(req, res, (err?: unknown) => {
      if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') {
        return next(new AppError(413, 'file_too_large', `the file is over the limit of ${maxBytes} bytes`, { details: { limit_bytes: maxBytes } }));
      }
      next(err);
    });
  }
}
