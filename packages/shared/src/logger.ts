import { pino, type DestinationStream, type Logger } from 'pino';
import { formatWithOptions } from 'node:util';

/**
 * JSON logs. Payloads never reach a log line: we log ids, sizes and codes, and redact the fields where
 * a payload or secret could hide if someone logs a whole object by mistake.
 */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  ...['input', 'text', 'context', 'question', 'data', 'password', 'apiKey'].flatMap((f) => [f, `*.${f}`]),
  // Secrets of the configuration, should a Config object be logged whole.
  ...['HF_TOKEN', 'WEBHOOK_SECRET', 'WEBHOOK_KEY_SECRETS', 'API_KEYS', 'ADMIN_PASSWORD'].flatMap((f) => [f, `*.${f}`]),
];

export function createLogger(name: string, level: string, destination?: DestinationStream): Logger {
  return pino({ name, level, base: { service: name, pid: process.pid }, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}
export type { Logger };

const CONSOLE_LEVELS = { debug: 'debug', log: 'info', info: 'info', warn: 'warn', error: 'error' } as const;

/**
 * Route console output (libraries print to it: transformers.js says "No language specified…" with
 * console.warn) into the JSON log, so that every line a process writes is JSON. `current` is read at each
 * call: a thread that replaces its logger keeps the capture.
 */
export function captureConsole(current: () => Logger): void {
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    (console as unknown as Record<string, (...a: unknown[]) => void>)[method] = (...args: unknown[]) =>
      current()[level]({ source: 'console' }, formatWithOptions({ breakLength: Infinity }, ...args).slice(0, 2000));
  }
}
