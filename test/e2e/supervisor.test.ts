/**
 * What `npm start` runs (scripts/supervise.ts), as a user meets it: a worker and the private Redis killed
 * with -9 come back and every acknowledged job is answered; a killed supervisor leaves no process holding
 * the port, and the next start finds the jobs and results of the last one; a refused setting stops it all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@ca/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { testEnv, testPrefix } from '../helpers/env.js';
import { get, post } from '../helpers/http.js';
import { waitFor } from '../helpers/processes.js';

interface Supervisor {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** The pid of the latest start of a process, from the supervisor's "started X (pid N)" lines. */
  pid: (name: 'Redis' | 'the worker' | 'the API') => number | undefined;
}

const running: Supervisor[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGTERM');
    await s.exited;
    // A test that failed after killing its supervisor leaves no Redis behind either.
    const redis = s.pid('Redis');
    if (redis && alive(redis)) process.kill(redis, 'SIGTERM');
  }
});

function supervise(env: Record<string, string>, ...args: string[]): Supervisor {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/supervise.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const s: Supervisor = {
    proc,
    output: () => out,
    exited,
    pid: (name) => {
      const all = [...out.matchAll(new RegExp(`started ${name} \\(pid (\\d+)\\)`, 'g'))];
      return all.length ? Number(all.at(-1)![1]) : undefined;
    },
  };
  running.push(s);
  return s;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const freePort = async () => {
  const net = await import('node:net');
  return new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
};

describe('npm start supervises its processes', () => {
  it('a worker and Redis killed with -9 come back and every acknowledged job completes; a new start finds them', async () => {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ca-start-redis-'));
    const env = { ...testEnv(testPrefix('supervisor'), { PORT: String(port), WORKER_DOMAINS: 'nlp', JOB_LOCK_MS: '2000' }) };
    delete (env as Record<string, string | undefined>).REDIS_URL; // the supervisor's private one
    const url = `http://127.0.0.1:${port}`;
    const ready = async (s: Supervisor) =>
      waitFor(async () => (await get(url, '/readyz')).body.domains?.nlp?.ready, 90_000, 'nlp served').catch((e: Error) => {
        throw new Error(`${e.message}\n${s.output().slice(-3000)}`);
      });

    const first = supervise(env, '--private-redis', dir);
    await ready(first);
    const [worker, redis] = [first.pid('the worker')!, first.pid('Redis')!];

    // The worker dies; jobs are acknowledged while it is gone; then Redis dies too, before any has run.
    process.kill(worker, 'SIGKILL');
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await post(url, '/jobs/summarize-text', { text: `Order ${i} arrived with a cracked lid. The customer wants a replacement sent today.` });
      expect(r.status).toBe(202);
      ids.push(r.body.id as string);
    }
    process.kill(redis, 'SIGKILL');
    await waitFor(async () => first.pid('Redis') !== redis && first.pid('the worker') !== worker, 10_000, 'both started again');

    const states = async () => Promise.all(ids.map(async (id) => (await get(url, `/jobs/${id}`)).body.status as string));
    await waitFor(async () => (await states()).every((s) => s === 'completed'), 60_000, 'all 30 jobs completed').catch((e: Error) => {
      throw new Error(`${e.message}\n${first.output().slice(-3000)}`);
    });
    expect(first.output()).toMatch(/the worker \(pid \d+\) exited \(SIGKILL\); starting it again/);
    expect(first.output()).toMatch(/Redis \(pid \d+\) exited \(SIGKILL\); starting it again/);

    // The supervisor itself killed with -9: its API and worker stop by themselves (nothing holds the
    // port); its Redis is left, and the next start takes it over with the data.
    const [api2, worker2] = [first.pid('the API')!, first.pid('the worker')!];
    first.proc.kill('SIGKILL');
    await first.exited;
    await waitFor(async () => !alive(api2) && !alive(worker2), 30_000, 'the orphaned API and worker to exit');

    const second = supervise(env, '--private-redis', dir);
    await ready(second);
    expect(second.output()).toContain('stopping the Redis a previous npm start left running');
    const again = await get(url, `/jobs/${ids[0]}`);
    expect([again.status, again.body.status, typeof again.body.result?.summary]).toEqual([200, 'completed', 'string']);

    // SIGTERM (Ctrl-C is SIGINT, the same path): everything stops and the supervisor exits 0.
    const pids = [second.pid('Redis')!, second.pid('the worker')!, second.pid('the API')!];
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  }, 240_000);

  it('a process that refuses its configuration stops everything with exit code 2, without restarts', async () => {
    const s = supervise(testEnv(testPrefix('supervisor-config'), { PORT: String(await freePort()), WORKER_CONCURRENCY: 'many' }));
    expect(await s.exited).toBe(2);
    expect(s.output()).toContain('refused its configuration (exit code 2');
    expect(s.output()).not.toContain('starting it again');
  }, 60_000);
});
