/**
 * A redis-server of a test's own (for faults the shared test server must not suffer), stopped by the
 * test. `crash()` kills it with SIGKILL and keeps its data directory; `restart()` starts it again on the
 * same port and directory (with `--appendonly yes` it comes back with what it had acknowledged).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRedis, waitReady } from '@ca/shared';
import { free } from './ports.js';

export interface RedisServer {
  url: string;
  readonly pid: number;
  stop(): Promise<void>;
  crash(): Promise<void>;
  restart(): Promise<void>;
}

export async function startRedisServer(args: string[] = []): Promise<RedisServer> {
  const port = await free();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ca-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], { stdio: 'ignore' });
    const probe = createRedis(url, { name: 'ca-test-probe' });
    probe.on('error', () => undefined);
    try {
      await waitReady(probe, 10_000);
    } finally {
      probe.disconnect();
    }
  };
  const kill = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    }
  };
  await launch();
  return {
    url,
    get pid() {
      return proc.pid!;
    },
    crash: kill,
    restart: launch,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
