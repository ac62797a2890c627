import { createLogger, loadConfigOrExit } from '@ca/shared';
import { startWorkerProcess } from './worker-process.js';

const cfg = loadConfigOrExit();
const log = createLogger('ca-worker', cfg.LOG_LEVEL);
const w = await startWorkerProcess(cfg, log);

// Every way out goes through close(): a process.exit() while the inference thread is inside a model
// call would abort the process (threads/spawn.ts), so the thread is ended first.
const shutdown = (code: number) =>
  w.close().then(
    ({ clean }) => {
      if (clean) process.exit(code);
      // The thread is stuck in a native call: neither exit() nor terminate() can end it without an abort.
      log.error('killing the process: the inference thread did not return from its model call');
      process.kill(process.pid, 'SIGKILL');
    },
    () => process.exit(1),
  );
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    log.info({ signal: sig }, 'shutting down');
    void shutdown(0);
  });
}
process.on('uncaughtException', (err) => {
  log.fatal({ err: err.message.slice(0, 500) }, 'uncaught exception; shutting down');
  void shutdown(1);
});
