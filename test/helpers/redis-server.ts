/** A redis-server of a test's own (for faults the shared test server must not suffer), stopped by the test. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRedis, waitReady } from '@ca/shared';
import { free } from './ports.js';

export async function startRedisServer(args: string[] = []): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await free();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ca-redis-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const probe = createRedis(url, { name: 'ca-test-probe' });
  probe.on('error', () => undefined);
  try {
    await waitReady(probe, 10_000);
  } finally {
    probe.disconnect();
  }
  return {
    url,
    pid: proc.pid!,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
