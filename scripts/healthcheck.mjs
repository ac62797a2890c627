// The container's HEALTHCHECK (Dockerfile): healthy when the API's /healthz (PORT) or a worker's own
// /healthz (WORKER_METRICS_PORT) answers 200 on this host, whichever process the container runs.
const ports = [process.env.PORT || '8010', process.env.WORKER_METRICS_PORT || '9464'];
for (const port of ports) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) });
    if (r.ok) process.exit(0);
  } catch {
    // not this process: try the next port
  }
}
process.exit(1);
