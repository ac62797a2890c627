import { spawn } from 'node:child_process';
import { AppError } from '@ca/shared';

/**
 * Runs an external decoder (FFmpeg, poppler) on untrusted bytes: arguments as an array (never a
 * shell), the input on stdin, stdout collected up to a cap, a wall-clock limit, a bounded stderr.
 * Nothing the client sent is ever an argument: callers pass fixed options and their own temp paths.
 */
export interface ToolRun {
  /** The command, found on PATH (Debian's /usr/bin). */
  cmd: string;
  args: readonly string[];
  stdin?: Uint8Array;
  timeoutMs: number;
  /** Stop reading (and kill the tool) once stdout passes this many bytes. */
  maxOutputBytes: number;
  /** The Debian package that provides `cmd`, named when it is missing. */
  install: string;
}

export interface ToolResult {
  stdout: Buffer;
  /** The output cap was reached: the tool was killed and stdout holds the first maxOutputBytes. */
  capped: boolean;
  timedOut: boolean;
  code: number | null;
  /** The first 4 KB of stderr and, when there was more, its last 2 KB (the reason of a failure). */
  stderr: string;
}

export const decoderUnavailable = (cmd: string, install: string) =>
  new AppError(503, 'decoder_unavailable', `this format needs ${cmd}, which is not installed where the worker runs: install the Debian package ${install}`, {
    details: { decoder: cmd, install: `apt-get install ${install}` },
  });

export const decodeTimeout = (ms: number) =>
  new AppError(422, 'decode_timeout', `the file took longer than ${ms} ms to decode (DECODE_TIMEOUT_MS)`, { details: { limit_ms: ms } });

export function runTool(run: ToolRun): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.cmd, run.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      // No inherited secrets or proxies: the tool gets a minimal environment of its own.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
    });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let capped = false;
    let timedOut = false;
    let head = '';
    let tail = '';
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, run.timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      if (capped) return;
      const room = run.maxOutputBytes - bytes;
      if (d.length > room) {
        chunks.push(d.subarray(0, room));
        bytes += room;
        capped = true;
        child.kill('SIGKILL');
        return;
      }
      chunks.push(d);
      bytes += d.length;
    });
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      const room = Math.max(0, 4096 - head.length);
      head += text.slice(0, room);
      if (text.length > room) tail = (tail + text.slice(room)).slice(-2048);
    });
    // The tool may exit (or be killed) before it has read all of stdin: that EPIPE is not our error.
    child.stdin.on('error', () => undefined);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? decoderUnavailable(run.cmd, run.install) : e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(chunks, bytes), capped, timedOut, code, stderr: (tail ? `${head}\n…\n${tail}` : head).trim() });
    });
    child.stdin.end(run.stdin ?? new Uint8Array(0));
  });
}

/** The last meaningful stderr line, short enough for an error's details; never the input's bytes. */
export const reasonOf = (stderr: string): string => stderr.split('\n').filter(Boolean).pop()?.slice(0, 200) ?? 'no message';
