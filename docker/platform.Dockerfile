# Image of the platform's Node processes: target `api` (HTTP + Socket.io) and target `worker` (job workers).
# Node 24 runs the TypeScript sources directly (type stripping), so there is no build step.
# Build from the repository root: docker build -f docker/platform.Dockerfile --target api .

FROM node:24-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY . .
# Production dependencies only: the `node` devDependency (pinned runtime) is the base image here.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps --chown=node:node /app /app
USER node

FROM runtime AS api
ENV HOST=0.0.0.0 PORT=3030
EXPOSE 3030
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "core/src/main.ts"]

FROM runtime AS worker
ENV WORKER_HEALTH_PORT=3040
EXPOSE 3040
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.WORKER_HEALTH_PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "core/src/worker.ts"]
