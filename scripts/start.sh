#!/usr/bin/env bash
# `npm start`: install what is missing, find Redis (or choose a private one), then hand over to the
# supervisor (scripts/supervise.ts), which runs the API and one worker for all domains and restarts them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_deps
ensure_decoders || true
# .env (or ENV_FILE) fills in what the environment does not set; the processes apply the same rule.
env_exports="$(node --import tsx scripts/env-file.ts)" || exit 1
eval "$env_exports"
private=()
if [ -n "${REDIS_URL:-}" ]; then
  redis_answers "$REDIS_URL" || { log "REDIS_URL is set but Redis does not answer there"; exit 1; }
elif redis_answers "redis://127.0.0.1:6379"; then
  export REDIS_URL="redis://127.0.0.1:6379"; log "using the local Redis on 127.0.0.1:6379"
else
  # Its data persists in .redis/start (append-only file), so queued jobs survive a restart of anything.
  command -v redis-server >/dev/null || apt_install redis-server
  private=(--private-redis "$ROOT/.redis/start")
fi
if [ "${MODEL_PROFILE:-default}" = tiny ]; then
  ensure_tiny_models
elif [ "${ALLOW_REMOTE_MODELS:-true}" != false ] && [ "${ALLOW_REMOTE_MODELS:-true}" != 0 ]; then
  # Missing models are downloaded now, with a progress bar, rather than silently by the worker.
  pnpm --silent models:fetch --missing || log "models could not all be downloaded; starting with what is there (see below)"
fi
# exec: signals (Ctrl-C, SIGTERM) go straight to the supervisor, with no shell in between to lose them.
exec node --import tsx scripts/supervise.ts "${private[@]}"
