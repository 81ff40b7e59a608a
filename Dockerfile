# Build stage: compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# The WeCom sandbox, for a local trial only (docker compose --profile sandbox): the fake WeCom API, sign-in pages and
# the callback driver, run from source with the dev dependencies. Never part of the runtime image.
FROM node:20-bookworm-slim AS sandbox
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY tools ./tools
ENV SANDBOX_HOST=0.0.0.0
USER node
EXPOSE 8700
CMD ["node", "--import", "tsx", "tools/sandbox-cli.ts", "serve"]

# Runtime stage: compiled JS, production dependencies, policy files.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY public ./public
USER node
EXPOSE 3000
CMD ["node", "dist/main/all-main.js"]
