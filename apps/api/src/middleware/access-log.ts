import type { RequestHandler } from 'express';
import type { Logger } from '@ca/shared';

/**
 * One JSON line per request when its answer has been sent (or the client went away): method, route
 * template (never the raw path: it may carry a job id or a token in its query), status, latency and the
 * request id. No bodies, no headers, no query strings: nothing a client sent reaches the log.
 */
export function accessLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const t0 = process.hrtime.bigint();
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      log.info(
        {
          request_id: req.id,
          method: req.method,
          route,
          status: res.writableFinished ? res.statusCode : undefined,
          aborted: res.writableFinished ? undefined : true,
          latency_ms: Math.round(Number(process.hrtime.bigint() - t0) / 1e4) / 100,
          ...(res.getHeader('X-Cache') ? { cache: res.getHeader('X-Cache') } : {}),
        },
        'request',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
