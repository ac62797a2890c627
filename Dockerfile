# syntax=docker/dockerfile:1.7
#
# One image for the API and the workers; the compose command chooses which process runs.
#
# Runtime choice: the TypeScript sources run under tsx (`node --import tsx`), with no build step, so
# the container runs exactly the code the tests run and stack traces point at the sources. tsx is a
# runtime dependency of the root package; the runtime stage has production dependencies only
# (no vitest, typescript, playwright). Nothing downloads outside the npm registry at install:
# onnxruntime-node's CUDA post-install is skipped (.npmrc, pnpm-workspace.yaml).
#
#   docker build -t customerassist .                                  # models fetched at run time
#   docker build --build-arg PREFETCH_MODELS=true -t customerassist . # the default models baked in (~1 GB)

# The current Node.js LTS line.
ARG NODE_IMAGE=node:24-slim

# ---- base: node + pnpm -------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
# The exact pnpm of package.json "packageManager"; installed with npm (corepack's signing keys lag
# behind new pnpm releases on some Node 20 images).
RUN npm install -g pnpm@10.34.8 && npm cache clean --force
ENV CI=true npm_config_store_dir=/pnpm/store
WORKDIR /app

# ---- deps: node_modules from the lockfile alone (cached until the lockfile changes) -------------
FROM base AS deps
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN --mount=type=cache,id=ca-pnpm-store,target=/pnpm/store pnpm fetch
# Every workspace package.json (test/compose checks that this list matches the workspace).
COPY package.json ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY packages/client/package.json packages/client/
COPY packages/media/package.json packages/media/
COPY packages/model-gen/package.json packages/model-gen/
COPY packages/shared/package.json packages/shared/
RUN --mount=type=cache,id=ca-pnpm-store,target=/pnpm/store pnpm install --offline --frozen-lockfile

# ---- prod-deps: the same tree without dev dependencies (what the runtime stage ships) ----------------
FROM deps AS prod-deps
RUN --mount=type=cache,id=ca-pnpm-store,target=/pnpm/store pnpm install --offline --frozen-lockfile --prod

# ---- models: the default Hub models, fetched once at build time ---------------------------------
FROM deps AS models
# Opt-in: a plain build needs no network beyond the npm registry.
ARG PREFETCH_MODELS=false
ENV MODELS_DIR=/models
# Only what the fetch script reads: editing other sources does not invalidate this (large) layer.
COPY packages/shared/src packages/shared/src
COPY apps/worker/src/models apps/worker/src/models
RUN mkdir -p /models && if [ "$PREFETCH_MODELS" = "true" ]; then pnpm models:fetch; else echo "PREFETCH_MODELS=$PREFETCH_MODELS: no models baked in"; fi

# ---- runtime -----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8010 MODELS_DIR=/models WORKER_METRICS_PORT=9464
# FFmpeg (M4A/AAC, WebM, AMR and video audio tracks) and poppler (PDF pages) decode what phones send.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg poppler-utils && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 ca && useradd --system --uid 10001 --gid ca --home-dir /app --shell /usr/sbin/nologin ca
WORKDIR /app
COPY --from=prod-deps --chown=ca:ca /app /app
COPY --chown=ca:ca . .
COPY --from=models --chown=ca:ca /models /models
USER ca
EXPOSE 8010 9464
# The API's /healthz, or a worker's own (on WORKER_METRICS_PORT): whichever this container runs.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
# The API by default; workers run `node --import tsx apps/worker/src/main.ts` (see docker-compose.yml).
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]
