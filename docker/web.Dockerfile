# Image of a SvelteKit web app of the workspace (adapter-node), chosen with --build-arg APP=storefront|dashboard.
# Build from the repository root: docker build -f docker/web.Dockerfile --build-arg APP=storefront .

ARG APP=storefront

FROM node:24-bookworm-slim AS build
ARG APP
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm run build --workspace "${APP}"

FROM node:24-bookworm-slim AS prod-deps
WORKDIR /app
COPY . .
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim AS web
ARG APP
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 APP_DIR=${APP}
# adapter-node leaves the app's `dependencies` external: they come from the production install.
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=prod-deps --chown=node:node /app/core ./core
COPY --from=build --chown=node:node /app/${APP}/package.json ./${APP}/package.json
COPY --from=build --chown=node:node /app/${APP}/build ./${APP}/build
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/').then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))"]
CMD ["sh", "-c", "exec node \"$APP_DIR/build/index.js\""]
