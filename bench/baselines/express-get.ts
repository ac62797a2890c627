/**
 * The cache-hit baseline (issue 14 goal 3): what a cached answer costs at the least, an Express app whose
 * route reads one Redis key and sends it. Same body parsing as the API (express.json), same Redis, same
 * clients; run in the bench process, as the API is.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import { REPO_ROOT, type createRedis } from '@ca/shared';

type Redis = ReturnType<typeof createRedis>;
/** The part of Express used here (the root package has no @types/express). */
interface Res {
  type(t: string): Res;
  send(body: string): void;
}
type Handler = (req: unknown, res: Res, next: (e?: unknown) => void) => void;
interface Express {
  (): { post(path: string, ...h: Handler[]): void; listen(port: number, host: string, cb: () => void): Server };
  json(): Handler;
}

export async function startExpressGet(redis: Redis, key: string): Promise<{ url: string; close(): Promise<void> }> {
  // Express as the API resolves it (the root package does not depend on it).
  const express = createRequire(path.join(REPO_ROOT, 'apps/api/package.json'))('express') as Express;
  const app = express();
  app.post('/cached', express.json(), (_req, res, next) => {
    redis.get(key).then((v: string | null) => res.type('application/json').send(v ?? '{}'), next);
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cached`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
