// For scripts/start.sh: wait until the workers have loaded (or failed to load) their models, then say so
// in words: "ready: 7 of 7 tasks served", or one block naming every model that failed, why, and the ways
// on. Reads only the API's own /readyz. Exits 0 either way: the service keeps running with what it has.
const [url, timeoutS = '3600'] = process.argv.slice(2);
const end = Date.now() + Number(timeoutS) * 1000;
const B = (s) => `\x1b[1m${s}\x1b[0m`;
const say = (s) => process.stderr.write(`\x1b[1;34m[customerassist]\x1b[0m ${s}\n`);

const WHY = {
  no_route_to_hub: 'the Hugging Face Hub cannot be reached from this machine',
  token_refused: 'the Hub refused the request: a gated or private model needs HF_TOKEN (or the token is wrong)',
  not_on_hub: 'the Hub has no such model or file (check the *_MODEL variables)',
  not_in_folder: 'the model is not in MODELS_DIR, and downloads are off (ALLOW_REMOTE_MODELS=false)',
  load_failed: 'its files are there but could not be loaded',
};

async function readyz() {
  try {
    const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) });
    return await r.json();
  } catch {
    return undefined;
  }
}

let body;
let announcedLoading = false;
for (;;) {
  body = await readyz();
  const settled = body && body.workers && body.workers.loading === 0 && (body.workers.ready > 0 || body.failed_models);
  if (settled || Date.now() > end) break;
  if (body?.workers?.loading && !announcedLoading) {
    say('the worker is loading its models (a first download of the default models is about 1 GB; progress is in its log lines)');
    announcedLoading = true;
  }
  await new Promise((r) => setTimeout(r, 1000));
}
if (!body) {
  say(`the API at ${url} did not answer /readyz`);
  process.exit(0);
}
const served = Object.entries(body.tasks ?? {}).filter(([, t]) => t.ready).map(([n]) => n);
const all = Object.keys(body.tasks ?? {});
if (served.length === all.length && all.length) {
  say(B(`ready: ${served.length} of ${all.length} tasks served`) + ` — try them at ${url}/docs`);
  process.exit(0);
}
const failed = body.failed_models ?? [];
const lines = [
  '',
  B(`ready: ${served.length} of ${all.length} tasks served`) + (served.length ? ` (${served.join(', ')})` : ''),
  failed.length ? 'These models could not be loaded:' : 'No worker has reported its models yet.',
  ...failed.map((m) => `  - ${m.model} (${m.key}): ${WHY[m.reason] ?? m.reason}`),
  '',
  'Ways on:',
  '  1. Try the service now with the generated test models (offline, random answers):  MODEL_PROFILE=tiny npm start',
  '  2. Download the real models where the Hub is reachable:  pnpm models:fetch  (HF_TOKEN for gated models,',
  '     HF_ENDPOINT for a mirror), then copy the models folder here.',
  '  3. Point MODELS_DIR at a folder that already has the models (Hugging Face layout), ALLOW_REMOTE_MODELS=false.',
  `The worker tries the missing models again every MODEL_RETRY_S seconds; ${url}/readyz tells what is served.`,
  '',
];
process.stderr.write(lines.join('\n') + '\n');
