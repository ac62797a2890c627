import { pino, type Logger } from 'pino';

/**
 * JSON logs. Payloads never reach a log line: we log ids, sizes and codes, and redact the fields where
 * a payload or secret could hide if someone logs a whole object by mistake.
 */
export function createLogger(name: string, level: string): Logger {
  return pino({
    name,
    level,
    base: { service: name, pid: process.pid },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers.cookie',
        'input',
        '*.input',
        'text',
        '*.text',
        'context',
        '*.context',
        'question',
        '*.question',
        'data',
        '*.data',
        'password',
        '*.password',
        'apiKey',
      ],
      censor: '[redacted]',
    },
  });
}
export type { Logger };
