/** Real worker processes (tsx apps/worker/src/main.ts), started and stopped by tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '@ca/shared';

export interface WorkerHandle {
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}


export function startWorker(env: Record<string, string>): WorkerHandle {
  return startApp('apps/worker/src/main.ts', env);
}

/** The API as its own process (apps/api/src/main.ts), for what only a real process shows: signals, exit codes. */
export function startApiProcess(env: Record<string, string>): WorkerHandle {
  return startApp('apps/api/src/main.ts', env);
}

function startApp(main: string, env: Record<string, string>): WorkerHandle {
  // node itself (no wrapper process in between), so signals and exit codes are the process's own.
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, main)], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out = (out + d).slice(-200_000)));
  proc.stderr!.on('data', (d) => (out = (out + d).slice(-200_000)));
  return {
    proc,
    output: () => out,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
      return new Promise((resolve) => {
        const t = setTimeout(() => proc.kill('SIGKILL'), 30_000);
        proc.once('exit', (code) => {
          clearTimeout(t);
          resolve(code);
        });
        proc.kill(signal);
      });
    },
  };
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
