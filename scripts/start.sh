#!/usr/bin/env bash
# `npm start`: install what is missing, find or start Redis, run the API and one worker for all domains.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_deps
# .env (or ENV_FILE) fills in what the environment does not set; the processes apply the same rule.
env_exports="$(node scripts/env-file.mjs)" || exit 1
eval "$env_exports"
if [ -n "${REDIS_URL:-}" ]; then
  redis_answers "$REDIS_URL" || { log "REDIS_URL is set but Redis does not answer there"; exit 1; }
elif redis_answers "redis://127.0.0.1:6379"; then
  export REDIS_URL="redis://127.0.0.1:6379"; log "using the local Redis on 127.0.0.1:6379"
else
  start_private_redis
fi
[ "${MODEL_PROFILE:-default}" = tiny ] && ensure_tiny_models

pids=()
cleanup() { trap - EXIT INT TERM; for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait "${pids[@]}" 2>/dev/null || true; stop_private_redis; }
trap cleanup EXIT INT TERM
node --import tsx apps/worker/src/main.ts & pids+=($!)
node --import tsx apps/api/src/main.ts & pids+=($!)
log "API on http://localhost:${PORT:-8010} (docs at /docs); Ctrl-C stops everything"
wait -n "${pids[@]}"
