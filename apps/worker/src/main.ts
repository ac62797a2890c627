import { createLogger, loadConfigOrExit } from '@ca/shared';
import { startWorkerProcess } from './worker-process.js';

const cfg = loadConfigOrExit();
const log = createLogger('ca-worker', cfg.LOG_LEVEL);
const w = await startWorkerProcess(cfg, log);
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    log.info({ signal: sig }, 'shutting down');
    w.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
