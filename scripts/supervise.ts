/**
 * What `npm start` runs once it has installed what was missing (scripts/start.sh execs it): the API, one
 * worker, the first-run report, and, when no Redis was found, a private redis-server that keeps its data in
 * an append-only file under .redis/. A process that dies is started again; everything stops only when asked
 * (Ctrl-C or SIGTERM). So a worker killed by the OOM killer or kill -9 comes back, and the jobs it held are
 * handed on once their lock expires (JOB_LOCK_MS): nothing the API acknowledged is lost to a crash, and a
 * job queued before a Ctrl-C is still there on the next `npm start`.
 *
 *   node --import tsx scripts/supervise.ts [--private-redis DIR]
 *
 * Exit code 2 from a process means it refused its configuration: restarting would not help, so everything
 * stops and the supervisor exits 2. A second Ctrl-C during the drain kills what is still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const say = (s: string) => process.stderr.write(`\x1b[1;34m[customerassist]\x1b[0m ${s}\n`);
const CONFIG_REFUSED = 2; // loadConfigOrExit()
const BACKOFF_MS = { first: 500, max: 30_000, healthyAfter: 30_000 };

interface Service {
  name: string;
  command: string;
  args: string[];
  /** Run once (the first-run report), not restarted. */
  oneShot?: boolean;
  proc?: ChildProcess;
  startedAt: number;
  failures: number;
  timer?: NodeJS.Timeout;
}

const node = (script: string, ...args: string[]) => ({ command: process.execPath, args: ['--import', 'tsx', path.join(ROOT, script), ...args] });

let stopping = false;
let exitCode = 0;
const env: NodeJS.ProcessEnv = { ...process.env };

function start(s: Service): void {
  s.timer = undefined;
  s.startedAt = Date.now();
  // Its own process group, so a Ctrl-C reaches only us and every process gets exactly one SIGTERM from
  // stop(). The IPC channel tells the API and the worker when we are gone (they then drain: onParentGone).
  const proc = spawn(s.command, s.args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'inherit', 'inherit', ...(s.oneShot || s.name === 'Redis' ? [] : ['ipc' as const])] });
  s.proc = proc;
  proc.on('error', (e) => say(`could not start ${s.name}: ${e.message}`));
  proc.on('exit', (code, signal) => {
    s.proc = undefined;
    if (stopping || s.oneShot) return void settle();
    if (code === CONFIG_REFUSED) {
      say(`${s.name} refused its configuration (exit code 2, see above); stopping`);
      exitCode = CONFIG_REFUSED;
      return void stop();
    }
    if (Date.now() - s.startedAt >= BACKOFF_MS.healthyAfter) s.failures = 0;
    const delay = Math.min(BACKOFF_MS.max, BACKOFF_MS.first * 2 ** s.failures++);
    say(`${s.name} (pid ${proc.pid}) exited (${signal ?? `code ${code}`}); starting it again in ${(delay / 1000).toFixed(1)} s`);
    s.timer = setTimeout(() => start(s), delay);
  });
  if (!s.oneShot) say(`started ${s.name} (pid ${proc.pid})`);
}

const services: Service[] = [];
const add = (name: string, cmd: { command: string; args: string[] }, oneShot = false) => {
  const s: Service = { name, ...cmd, oneShot, startedAt: 0, failures: 0 };
  services.push(s);
  return s;
};

let redis: Service | undefined;
let settle: () => void = () => undefined;

/** SIGTERM to the API, the worker and the report; Redis last, once they have drained. */
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  const apps = services.filter((s) => s !== redis);
  for (const s of services) clearTimeout(s.timer);
  await ended(apps, 'SIGTERM');
  if (redis) await ended([redis], 'SIGTERM');
  process.exit(exitCode);
}

function ended(list: Service[], signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    const check = () => list.every((s) => !s.proc) && resolve();
    settle = () => {
      check();
    };
    for (const s of list) s.proc?.kill(signal);
    check();
  });
}

let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (signals++ === 0) {
      say('stopping: the worker finishes its jobs in progress, the API its requests (Ctrl-C again to kill them now)');
      void stop();
    } else {
      say('killing what is still running; unfinished jobs are redone on the next start');
      for (const s of services) if (s !== redis) s.proc?.kill('SIGKILL');
    }
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.setTimeout(1000, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

const shown = (dir: string) => (dir.startsWith(ROOT + path.sep) ? path.relative(ROOT, dir) : dir);

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};
/** The parent pid, from /proc/PID/stat (its 4th field, after the parenthesised command name). */
const parentOf = (pid: number) => {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
  } catch {
    return 0;
  }
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A redis-server of our own, persisting every write to an append-only file (fsync once a second) in DIR,
 * so a restart of it, of the machine's processes or of `npm start` keeps the queues and results.
 */
async function privateRedis(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pidFile = path.join(dir, 'redis.pid');
  const old = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
  if (old > 0 && alive(old) && cmdline(old).includes('redis-server')) {
    if (cmdline(parentOf(old)).includes('scripts/supervise.ts')) {
      say(`another npm start is running with its Redis on ${shown(dir)} (pid ${old}); stop it first`);
      process.exit(1);
    }
    // Left behind by a supervisor that was killed with -9 (its API and worker stopped by themselves):
    // a SIGTERM makes it write its append-only file out, and we start it again as ours.
    say(`stopping the Redis a previous npm start left running (pid ${old}); its data is kept`);
    process.kill(old, 'SIGTERM');
    for (let i = 0; i < 300 && alive(old); i++) await new Promise((r) => setTimeout(r, 100));
  }
  const port = await freePort();
  redis = add('Redis', {
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction', '--pidfile', pidFile, '--logfile', path.join(dir, 'redis.log'), '--daemonize', 'no'],
  });
  start(redis);
  env.REDIS_URL = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 300 && !(await redisAnswers(port)); i++) await new Promise((r) => setTimeout(r, 100));
  say(`private Redis on port ${port}, data in ${shown(dir)} (append-only file)`);
}

const at = process.argv.indexOf('--private-redis');
if (at > 0) await privateRedis(path.resolve(process.argv[at + 1] ?? '.redis/start'));
const port = env.PORT ?? '8010';
start(add('the worker', node('apps/worker/src/main.ts')));
start(add('the API', node('apps/api/src/main.ts')));
say(`API starting on http://localhost:${port} (docs at /docs); Ctrl-C stops everything`);
start(add('the first-run report', { command: process.execPath, args: [path.join(ROOT, 'scripts/first-run.mjs'), `http://127.0.0.1:${port}`] }, true));
