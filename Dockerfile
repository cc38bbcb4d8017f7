# syntax=docker/dockerfile:1
#
# Vial relay serving the built web app on one port (8787).
#
#   docker build -t vial .
#   docker run --rm -p 8787:8787 -e VIAL_PUBLIC_URL=http://localhost:8787 \
#     -e VIAL_HOST_ADMISSION=enrolment -e VIAL_ADMISSION_SECRET=<32+ random characters> vial
#
# In the container the relay listens beyond loopback, so it refuses to start until told who may
# host (docs/security.md).
#
# Stage 1 installs the whole workspace and builds the web app; stage 2 is a self-contained copy
# of the relay with its production dependencies only (`pnpm deploy --prod`), so the dev-only
# packages (vite, playwright, the conformance suite and its Node 22 binary) stay out of the image.
# See docs/deploy.md (reverse proxy, TLS) before exposing it.

# Node 24, the active LTS line (Node 20 reached its end of life in April 2026); the relay and its
# tests were run on 24.22.3 outside Docker. The project itself still supports Node >= 20.19.
ARG NODE_IMAGE=node:24-slim
ARG PNPM_VERSION=10

FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION
# pnpm from npm rather than corepack: the corepack bundled with some Node images fails to
# verify newer pnpm signatures.
RUN npm install -g "pnpm@${PNPM_VERSION}" && pnpm --version
WORKDIR /src

# Manifests first, so the dependency layer is cached until one of them changes. Every workspace
# package listed in pnpm-workspace.yaml needs its package.json here for --frozen-lockfile.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY shared/package.json shared/
COPY relay/package.json relay/
COPY web/package.json web/
COPY tools/conformance/package.json tools/conformance/
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm install --frozen-lockfile

COPY . .
RUN pnpm build
# A standalone relay: its src, package.json and a node_modules holding only its production
# dependencies (tsx among them), resolved from the lockfile, with @vial/shared copied in.
# pnpm 10's deploy wants inject-workspace-packages; setting it here leaves the workspace as it is.
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm --config.inject-workspace-packages=true --filter @vial/relay deploy --prod /out/relay \
    && cp -r dist/web /out/web

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    VIAL_HOST=0.0.0.0 \
    VIAL_PORT=8787 \
    VIAL_WEB_DIR=/app/web
WORKDIR /app
COPY --from=build --chown=root:root /out/relay /app/relay
COPY --from=build --chown=root:root /out/web /app/web
# The relay keeps no files; it runs as the image's unprivileged `node` user on read-only code.
USER node
WORKDIR /app/relay
EXPOSE 8787
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.VIAL_PORT || 8787) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `node --import tsx` is what the `tsx` CLI does, minus its extra parent process: node is the
# container's main process and gets SIGTERM itself (the relay drains and exits on it). The V8 flag
# is explained in relay/src/nodeFlags.ts.
CMD ["node", "--min-semi-space-size=16", "--import", "tsx", "src/main.ts"]
