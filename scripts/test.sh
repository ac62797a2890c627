#!/usr/bin/env bash
# `npm test`: install what is missing, start a private Redis (never touching a Redis of yours), make the
# generated test models, and run the whole suite. Extra arguments go to vitest (e.g. a file filter).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_deps
if [ -z "${REDIS_URL:-}" ]; then start_private_redis; trap stop_private_redis EXIT; fi
[ -d /usr/share/fonts/truetype/dejavu ] || apt_install fonts-dejavu-core
ensure_decoders
# The encoders the media tests make their fixtures with: espeak-ng (speech), heif-enc (HEIC, AVIF).
command -v espeak-ng >/dev/null || apt_install espeak-ng
command -v heif-enc >/dev/null || apt_install libheif-examples
ensure_tiny_models
# Real configs and tokenizers of the default Hub models, with random weights (when ../shared is beside us).
HUB="$ROOT/../shared/reference-models/hub"
[ -d "$HUB" ] && pnpm exec tsx packages/model-gen/src/cli.ts --from-hub "$HUB" >&2
command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || apt_install chromium
export CA_TEST_REDIS_URL="$REDIS_URL"
pnpm exec vitest run "$@"
