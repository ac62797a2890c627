import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * JSON logs. Payloads never reach a log line: we log ids, sizes and codes, and redact the fields where
 * a payload or secret could hide if someone logs a whole object by mistake.
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  ...['input', 'text', 'context', 'question', 'data', 'password', 'apiKey'].flatMap((f) => [f, `*.${f}`]),
];

export function createLogger(name: string, level: string, destination?: DestinationStream): Logger {
  return pino({ name, level, base: { service: name, pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}
export type { Logger };
