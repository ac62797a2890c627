#!/usr/bin/env bash
# `pnpm bench`: speed and memory figures as a table (never asserted in tests).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_deps
if [ -z "${REDIS_URL:-}" ]; then start_private_redis; trap stop_private_redis EXIT; fi
ensure_tiny_models
pnpm exec tsx bench/run.ts "$@"
