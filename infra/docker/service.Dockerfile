# syntax=docker/dockerfile:1
#
# One image per Dogi service, built from the repository root:
#
#   docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=auth -t dogi/auth:local .
#
# SERVICE is auth | session | rag | inference | gateway. The image holds `pnpm deploy --prod` of
# that one workspace package (its production dependencies only, no dev tools, no tests) and runs
# its TypeScript source with tsx, exactly as `pnpm start` does. It runs as uid 1000, keeps its
# state in /var/lib/dogi (DATA_DIR) and its logs in /var/log/dogi (LOG_DIR), and bakes in no
# secrets: those come from the environment at run time (see infra/docker-compose.yml).
#
# Two final stages:
#   runtime       (the default) on the Node image; the inference service built so runs on CPU.
#   runtime-cuda  the inference service on NVIDIA's CUDA runtime image, with node-llama-cpp's
#                 CUDA binaries:
#     docker build -f infra/docker/service.Dockerfile --target runtime-cuda \
#       --build-arg SERVICE=inference --build-arg LLAMA_GPU_BINARIES=cuda -t dogi/inference-cuda:local .
#
# node-llama-cpp 3.21.1's main CUDA binary links CUDA 13 (libcudart.so.13, NVIDIA driver 580 or
# newer); its "cuda-ext" fallback links CUDA 12. On an older driver, build with
# --build-arg CUDA_IMAGE=nvidia/cuda:12.9.1-runtime-ubuntu22.04 and node-llama-cpp falls back.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:13.0.2-runtime-ubuntu24.04
ARG PNPM_VERSION=10.34.9

# --- build: install the workspace from the lockfile, then deploy one package -------------------
FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION
ENV CI=true
# corepack's signature check fails on some networks; npm installs the exact pnpm the repo pins.
RUN npm install --global "pnpm@${PNPM_VERSION}" && pnpm --version
WORKDIR /repo
# The lockfile alone decides the store's content, so this layer survives source edits. SERVICE is
# declared below it: a build argument in scope is part of each later RUN's cache key, and the
# five images share this one store.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
RUN pnpm fetch --frozen-lockfile
ARG SERVICE
# GPU backends to keep among node-llama-cpp's prebuilt binaries: none | cuda. They are optional
# npm packages of 60-360 MB each that a CPU image never loads.
ARG LLAMA_GPU_BINARIES=none
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=auth|session|rag|inference|gateway" >&2; exit 1; }
COPY tsconfig.base.json ./
COPY packages ./packages
COPY services ./services
COPY infra/package.json ./infra/package.json
RUN pnpm install --offline --frozen-lockfile --filter "@dogi/${SERVICE}..." --filter @dogi/infra
# Packages with a build step (the web page the gateway serves) build here; the rest have none.
RUN pnpm --filter "@dogi/${SERVICE}..." --if-present run build
# Not --offline: the legacy deploy resolves the package's dependencies again, and that needs the
# registry's package metadata, which `pnpm fetch` does not keep (ERR_PNPM_NO_OFFLINE_META). The
# versions stay the lockfile's (checked on the gateway and inference images: every package in
# node_modules/.pnpm is a lockfile entry); their tarballs come from the store fetched above.
RUN pnpm --filter "@dogi/${SERVICE}" deploy --legacy --prod --prefer-offline /out/app \
  && pnpm --filter @dogi/infra deploy --legacy --prod --prefer-offline /out/runtime
# Tests, benchmarks and tool configs are not part of the running service.
RUN find /out/app -name '*.test.ts' -delete \
  && rm -rf /out/app/bench /out/app/vitest.config.ts /out/app/.turbo \
  && find /out/runtime -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} + \
  && rm -rf /out/app/node_modules/.pnpm/@node-llama-cpp+*-vulkan* \
            /out/app/node_modules/.pnpm/@node-llama-cpp+linux-arm* \
  && if [ "${LLAMA_GPU_BINARIES}" != "cuda" ]; then \
       rm -rf /out/app/node_modules/.pnpm/@node-llama-cpp+*-cuda*; \
     fi

# --- runtime-cuda: the inference service on NVIDIA's CUDA runtime ---------------------------------
FROM ${CUDA_IMAGE} AS runtime-cuda
ARG SERVICE=inference
ENV NODE_ENV=production \
    DOGI_SERVICE=${SERVICE} \
    SERVICE_HOST=0.0.0.0 \
    DATA_DIR=/var/lib/dogi \
    LOG_DIR=/var/log/dogi \
    LLAMA_GPU=cuda
# Node from the official image (the same binary as the CPU image); Ubuntu's glibc is newer.
COPY --from=build /usr/local/bin/node /usr/local/bin/node
# Ubuntu 24.04 images already have uid 1000 ("ubuntu"); older ones get a "dogi" user.
RUN if ! getent passwd 1000 >/dev/null; then \
      useradd --uid 1000 --user-group --no-create-home --shell /usr/sbin/nologin dogi; \
    fi \
  && mkdir -p /var/lib/dogi /var/log/dogi /models \
  && chown 1000:1000 /var/lib/dogi /var/log/dogi
COPY --from=build /out/runtime/node_modules /opt/dogi/node_modules
COPY infra/docker/healthcheck.mjs /opt/dogi/healthcheck.mjs
COPY --from=build /out/app /app
WORKDIR /app
USER 1000:1000
HEALTHCHECK --interval=15s --timeout=5s --start-period=300s --retries=3 \
  CMD ["node", "/opt/dogi/healthcheck.mjs"]
CMD ["node", "--import", "file:///opt/dogi/node_modules/tsx/dist/loader.mjs", "src/main.ts"]

# --- runtime (the default target): any service on the Node image --------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    DOGI_SERVICE=${SERVICE} \
    SERVICE_HOST=0.0.0.0 \
    DATA_DIR=/var/lib/dogi \
    LOG_DIR=/var/log/dogi
# The app is owned by root and read-only to the service user; only its state and log folders
# are writable (a named volume mounted on /var/lib/dogi starts with this ownership).
RUN mkdir -p /var/lib/dogi /var/log/dogi /models \
  && chown 1000:1000 /var/lib/dogi /var/log/dogi
COPY --from=build /out/runtime/node_modules /opt/dogi/node_modules
COPY infra/docker/healthcheck.mjs /opt/dogi/healthcheck.mjs
COPY --from=build /out/app /app
WORKDIR /app
USER 1000:1000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/opt/dogi/healthcheck.mjs"]
CMD ["node", "--import", "file:///opt/dogi/node_modules/tsx/dist/loader.mjs", "src/main.ts"]
