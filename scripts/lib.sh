# Shared shell helpers for the two commands (sourced by start.sh and test.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '\033[1;34m[customerassist]\033[0m %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else log "need root for: $*"; return 1; fi; }

apt_install() {
  log "installing Debian packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# pnpm at the version package.json pins; npm's registry is the only network we may use.
ensure_pnpm() {
  local want; want=$(node -p "require('./package.json').packageManager.split('@')[1]")
  if ! command -v pnpm >/dev/null || [ "$(pnpm -v 2>/dev/null)" != "$want" ]; then
    log "installing pnpm $want from the npm registry"
    npm install -g "pnpm@$want" --no-fund --no-audit >/dev/null 2>&1 || {
      mkdir -p "$ROOT/.tools" && npm install --prefix "$ROOT/.tools" "pnpm@$want" --no-fund --no-audit >/dev/null
      export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
    }
  fi
}

ensure_deps() {
  ensure_pnpm
  # Re-install when the lock file changed since the last install (or nothing is installed).
  local stamp="node_modules/.ca-lock-hash" hash
  hash=$(sha256sum pnpm-lock.yaml | cut -c1-64)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
    log "installing dependencies (pnpm install --frozen-lockfile)"
    CI=true pnpm install --frozen-lockfile --reporter=append-only >/dev/null
    echo "$hash" > "$stamp"
  fi
}

redis_answers() { # url
  node -e '
    const u = new URL(process.argv[1]); const s = require("net").connect(+u.port || 6379, u.hostname);
    const done = (ok) => { s.destroy(); process.exit(ok ? 0 : 1); };
    s.setTimeout(1500, () => done(false)); s.on("error", () => done(false));
    s.on("connect", () => s.write((u.password ? `AUTH ${decodeURIComponent(u.username || "default")} ${decodeURIComponent(u.password)}\r\n` : "") + "PING\r\n"));
    let buf = ""; s.on("data", (d) => { buf += d; if (/\+PONG/.test(buf)) done(true); if (/-ERR|-NOAUTH|-WRONGPASS/.test(buf)) done(false); });
  ' "$1"
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# Start a private redis-server (installing the Debian package when missing); stopped by stop_private_redis.
PRIVATE_REDIS_PID=""
start_private_redis() {
  command -v redis-server >/dev/null || apt_install redis-server
  local port dir; port=$(free_port); dir="$ROOT/.redis/$port"; mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
    --maxmemory-policy noeviction --daemonize no --logfile "$dir/redis.log" &
  PRIVATE_REDIS_PID=$!
  export REDIS_URL="redis://127.0.0.1:$port"
  for _ in $(seq 1 50); do redis_answers "$REDIS_URL" && { log "started private Redis on port $port"; return 0; }; sleep 0.1; done
  log "redis-server did not start; see $dir/redis.log"; return 1
}
stop_private_redis() {
  if [ -n "$PRIVATE_REDIS_PID" ]; then kill "$PRIVATE_REDIS_PID" 2>/dev/null || true; wait "$PRIVATE_REDIS_PID" 2>/dev/null || true; rm -rf "$ROOT/.redis/${REDIS_URL##*:}"; fi
}

# FFmpeg (M4A/AAC, WebM, AMR, MP4/MOV audio) and poppler (PDF) from Debian, for the worker. Not fatal for
# `npm start`: without them those formats answer decoder_unavailable (503, naming the package) and the rest works.
ensure_decoders() {
  local need=()
  command -v ffmpeg >/dev/null || need+=(ffmpeg)
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}" || { log "could not install ${need[*]}: those formats answer decoder_unavailable"; return 1; }
}

ensure_tiny_models() { pnpm exec tsx packages/model-gen/src/cli.ts --size tiny >&2; }
