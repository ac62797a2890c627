import { captureConsole, createLogger, loadConfigOrExit, onParentGone } from '@ca/shared';
import { startWorkerProcess } from './worker-process.js';

const cfg = loadConfigOrExit();
const log = createLogger('ca-worker', cfg.LOG_LEVEL);
captureConsole(() => log);
// Signals are taken from the first moment: one that came while the models loaded (a pod scaled down as it
// starts) shuts the worker down as soon as it has started, instead of killing it with the default action.
let stopRequested: number | undefined;
let started: Awaited<ReturnType<typeof startWorkerProcess>> | undefined;

// Every way out goes through close(): a process.exit() while the inference thread is inside a model
// call would abort the process (threads/spawn.ts), so the thread is ended first.
const shutdown = (code: number) => {
  if (!started) {
    stopRequested ??= code;
    return;
  }
  const w = started;
  void w.close().then(
    ({ clean }) => {
      if (clean) process.exit(code);
      // The thread is stuck in a native call: neither exit() nor terminate() can end it without an abort.
      log.error('killing the process: the inference thread did not return from its model call');
      process.kill(process.pid, 'SIGKILL');
    },
    () => process.exit(1),
  );
};
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    log.info({ signal: sig }, 'shutting down');
    shutdown(0);
  });
}
onParentGone(() => {
  log.warn('the supervisor is gone; shutting down');
  shutdown(0);
});
process.on('uncaughtException', (err) => {
  log.fatal({ err: err.message.slice(0, 500) }, 'uncaught exception; shutting down');
  shutdown(1);
});

started = await startWorkerProcess(cfg, log);
if (stopRequested !== undefined) shutdown(stopRequested);
