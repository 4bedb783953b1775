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
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 3000
# Production requires DATABASE_URL, JWT_SECRET and ENCRYPTION_KEY; the boot names any that is missing.
CMD ["node", "dist/src/main.js"]
