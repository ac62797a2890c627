/**
 * The API's HTTP server. Errors Node's own parser answers before Express sees the request (headers too
 * large, a malformed request line, a request that took too long) get the same JSON error body as every
 * other error instead of an empty one.
 */
import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import type { Config, ErrorCode } from '@ca/shared';

const PARSER_ERRORS: Record<string, [number, ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'the request headers are over the size limit'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request was not received in time'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'request_timeout', 'the request headers were not received in time'],
};

/**
 * Timeouts are set, not left to Node's defaults (a slow client could hold a connection for a minute):
 * headers within HTTP_HEADERS_TIMEOUT_MS, a whole request within SYNC_TIMEOUT_MS + 30 s (a sync call
 * waits up to SYNC_TIMEOUT_MS for its job), idle keep-alive connections closed after HTTP_KEEPALIVE_TIMEOUT_MS.
 */
export function listen(app: Express, cfg: Config, port: number, host: string, onListening?: () => void): Server {
  const server = createServer(
    {
      headersTimeout: cfg.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: cfg.SYNC_TIMEOUT_MS + 30_000,
      keepAliveTimeout: cfg.HTTP_KEEPALIVE_TIMEOUT_MS,
      // How often Node looks for connections past those timeouts (its default is 30 s).
      connectionsCheckingInterval: Math.min(1_000, cfg.HTTP_HEADERS_TIMEOUT_MS / 2),
    },
    app,
  );
  server.listen(port, host, onListening);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const [status, code, message]: [number, ErrorCode, string] = PARSER_ERRORS[err.code ?? ''] ?? [400, 'bad_request', 'the request is not valid HTTP'];
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}
