# One image for the six services; the argument chooses which one runs:
#   docker build -t bluezone .
#   docker run --rm -e DATABASE_URL=... -e NATS_URL=... -p 3002:3002 bluezone intake
# (docker-compose.yml and deploy/docker-compose.cluster.yml do exactly this for every service.)

# ---- build: compile the TypeScript of apps/ and libs/ into dist/ -------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
# Only the deployable code (`npm run build` would also type-check the tests, which are not in the image).
RUN npm run build:app

# ---- runtime dependencies only -----------------------------------------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime -----------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    LOG_LEVEL=info
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# scripts/register-paths.js resolves the @app/* aliases of dist/ at run time with tsconfig-paths, which
# package.json lists as a devDependency: bring it (and json5, its one dependency missing from the
# production tree) over from the build stage.
COPY --from=build /app/node_modules/tsconfig-paths ./node_modules/tsconfig-paths
COPY --from=build /app/node_modules/json5 ./node_modules/json5
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY scripts/register-paths.js scripts/node-flags.js scripts/docker-entrypoint.sh ./scripts/
# The one-shot job that makes the services' PostgreSQL roles (docker-compose.yml `db-roles`, deploy/).
COPY scripts/launcher/pg-roles.js scripts/launcher/settings.js ./scripts/launcher/
# The registry's SEED=tra-vinh reads the reference CSV files from here.
COPY data ./data
RUN chmod +x scripts/docker-entrypoint.sh
USER node
EXPOSE 3000 3001 3002 3003 3004 3005
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["registry"]
