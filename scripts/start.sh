#!/usr/bin/env bash
# `npm start`: install what is missing, find or start Redis, run the API and one worker for all domains.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_deps
ensure_decoders || true
# .env (or ENV_FILE) fills in what the environment does not set; the processes apply the same rule.
env_exports="$(node --import tsx scripts/env-file.ts)" || exit 1
eval "$env_exports"
if [ -n "${REDIS_URL:-}" ]; then
  redis_answers "$REDIS_URL" || { log "REDIS_URL is set but Redis does not answer there"; exit 1; }
elif redis_answers "redis://127.0.0.1:6379"; then
  export REDIS_URL="redis://127.0.0.1:6379"; log "using the local Redis on 127.0.0.1:6379"
else
  start_private_redis
fi
if [ "${MODEL_PROFILE:-default}" = tiny ]; then
  ensure_tiny_models
elif [ "${ALLOW_REMOTE_MODELS:-true}" != false ] && [ "${ALLOW_REMOTE_MODELS:-true}" != 0 ]; then
  # Missing models are downloaded now, with a progress bar, rather than silently by the worker.
  pnpm --silent models:fetch --missing || log "models could not all be downloaded; starting with what is there (see below)"
fi

pids=()
watcher=""
cleanup() { trap - EXIT INT TERM; [ -n "$watcher" ] && kill "$watcher" 2>/dev/null; for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait "${pids[@]}" 2>/dev/null || true; stop_private_redis; }
trap cleanup EXIT INT TERM
node --import tsx apps/worker/src/main.ts & pids+=($!)
node --import tsx apps/api/src/main.ts & pids+=($!)
log "API starting on http://localhost:${PORT:-8010} (docs at /docs); Ctrl-C stops everything"
node scripts/first-run.mjs "http://127.0.0.1:${PORT:-8010}" & watcher=$!
wait -n "${pids[@]}"
