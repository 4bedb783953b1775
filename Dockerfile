# syntax=docker/dockerfile:1
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json schema.gql ./
COPY src ./src
COPY migrations ./migrations
COPY console ./console
# The recruiter console is built into dist/console and served by the app at /.
RUN npm run build && npm run build:console && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# Node 22+ sizes V8's young generation from the machine's memory (up to 64 MB semi-spaces): under
# a burst of GraphQL pages that took the API from about 315 to 400 MB (docs/PERFORMANCE.md, B7).
# 16 MB is Node 20's default. HEAP_GROWTH_PERCENT (the app's config) bounds the old generation.
ENV NODE_OPTIONS=--max-semi-space-size=16
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 3000
# Production requires DATABASE_URL, JWT_SECRET and ENCRYPTION_KEY; the boot names any that is missing.
CMD ["node", "dist/src/main.js"]
