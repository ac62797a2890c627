/**
 * Start a worker thread on one of our modules, from compiled `.js` or from `.ts` source. Loader hooks
 * of the parent (tsx, vitest) do not reach worker threads on Node 20, so when the `.ts` entry cannot be
 * imported the bootstrap registers tsx itself and retries.
 *
 * A thread that has loaded onnxruntime-node must end itself (process.exit from its own JS, between two
 * model calls), never by `worker.terminate()` nor by a `process.exit()` of the main thread while it is
 * still running: both stop the thread's environment from another thread, and if the thread is inside a
 * binding call at that moment (a session's run or load), the binding's next N-API call fails, its
 * node-addon-api (C++ exceptions, no NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS) throws a C++ Napi::Error
 * out of its own catch handler, and std::terminate aborts the whole process ("terminate called after
 * throwing an instance of 'Napi::Error'"). Seen with onnxruntime-node 1.30.0 on Node 20.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const localRequire = createRequire(import.meta.url);

export function spawnModuleThread(entry: URL, workerData: Record<string, unknown> = {}): Worker {
  const tsxApi = entry.pathname.endsWith('.ts') ? tsxEsmApiUrl() : null;
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    import(workerData.__entry).catch(async (e) => {
      if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !workerData.__tsxApi) throw e;
      (await import(workerData.__tsxApi)).register();
      // A fresh URL: the failed import above stays cached under the plain one.
      return import(workerData.__entry + '?tsx');
    }).catch((e) => { setImmediate(() => { throw e; }); });
  `;
  return new Worker(bootstrap, { eval: true, workerData: { ...workerData, __entry: entry.href, __tsxApi: tsxApi } });
}

/** The same extension as the calling module (.js when compiled, .ts from source). */
export function siblingModule(from: string, name: string): URL {
  const ext = path.extname(new URL(from).pathname) || '.js';
  return new URL(`./${name}${ext}`, from);
}

/** URL of tsx's ESM register API (its CJS build mis-resolves its hook module from a worker). */
function tsxEsmApiUrl(): string | null {
  try {
    const pkgPath = localRequire.resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> };
    const rel = pkg.exports?.['./esm/api']?.import?.default;
    return rel ? pathToFileURL(path.join(path.dirname(pkgPath), rel)).href : null;
  } catch {
    return null;
  }
}
