import { ConfigError, createLogger, loadConfig } from '@ca/shared';
import { startWorkerProcess } from './worker-process.js';

let cfg;
try {
  cfg = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
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
