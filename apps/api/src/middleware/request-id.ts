import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      id: string;
      /** performance.now() when the request reached the first middleware. */
      receivedAt: number;
      /** Hash of the API key (when keys are on): jobs are visible only to their owner. */
      owner?: string;
    }
  }
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A request id from X-Request-Id (when well-formed) or a new one; it follows the job into the worker. */
export const requestId: RequestHandler = (req, res, next) => {
  req.receivedAt = performance.now();
  const given = req.get('X-Request-Id');
  req.id = given && SAFE_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  next();
};
