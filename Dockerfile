# syntax=docker/dockerfile:1
# One image for the web app and the worker (compose.yaml picks the command), on Node.js 24
# LTS, running as the unprivileged `node` user. See docs/deploy.md.
#
#   docker build -t framecast .
#   docker run --rm framecast                                        # the web app on :3000
#   docker run --rm framecast node --import tsx worker/index.ts      # a worker
#   docker run --rm framecast node --import tsx prisma/offline-migrate/cli.ts deploy
ARG NODE_VERSION=24

# ---- dependencies: exactly the locked versions, native modules built for this Node.
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---- build: the Prisma client and the Next.js production build.
FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
RUN npm run db:generate && npm run build

# ---- runtime: ffmpeg (photos, vlogs, podcasts), espeak-ng (keyless podcast speech),
# tini as PID 1 (passes SIGTERM on, reaps ffmpeg children).
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg espeak-ng tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# MALLOC_ARENA_MAX=2: without it glibc's arenas hold the worker's memory at several times
# what it uses (docs/performance.md, "Worker memory").
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 DATA_DIR=/app/data MALLOC_ARENA_MAX=2
# The whole built tree, dev dependencies included: the worker and the migration runner run
# TypeScript through tsx. Owned by root, so the app cannot rewrite its own code; only
# DATA_DIR (upload temp files, local storage) and Next's cache are writable.
COPY --from=build /app ./
# DATA_DIR/tmp/resumable exists here, owned by node, because compose mounts a volume shared by
# the web processes there: a new volume takes the owner of the folder it is mounted over.
RUN mkdir -p /app/data/tmp/resumable /app/.next/cache && chown -R node:node /app/data /app/.next/cache
USER node
EXPOSE 3000 9464
ENTRYPOINT ["/usr/bin/tini", "--"]
# `node` directly, not npm or npx, so SIGTERM reaches the process that handles it.
CMD ["node", "--max-semi-space-size=4", "--no-memory-reducer", "node_modules/next/dist/bin/next", "start", "-p", "3000"]
