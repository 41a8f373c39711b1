# One multi-stage image for every service of the shop; docker-compose.yml picks the service
# with SERVICE_ENTRY (the TypeScript entry point, run with tsx).
# syntax=docker/dockerfile:1

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# Workspace manifests first, so `npm ci` is cached until a dependency changes.
COPY package.json package-lock.json ./
COPY packages/platform/package.json packages/platform/
COPY packages/events/package.json packages/events/
COPY packages/testing/package.json packages/testing/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/products/package.json subgraphs/products/
COPY subgraphs/inventory/package.json subgraphs/inventory/
COPY subgraphs/orders/package.json subgraphs/orders/
COPY subgraphs/payments/package.json subgraphs/payments/
COPY subgraphs/shipping/package.json subgraphs/shipping/
COPY subgraphs/promotions/package.json subgraphs/promotions/
COPY subgraphs/tax/package.json subgraphs/tax/
COPY subgraphs/ratings/package.json subgraphs/ratings/
COPY subgraphs/search/package.json subgraphs/search/
COPY subgraphs/favourites/package.json subgraphs/favourites/
COPY subgraphs/notifications/package.json subgraphs/notifications/
COPY router/package.json router/
COPY schema/package.json schema/
COPY infra/package.json infra/
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# Generated resolver types are committed; regenerate and check composition so a broken
# subgraph schema fails the image build as it fails CI.
RUN npx graphql-codegen --config codegen.ts && npx tsx schema/src/compose.ts --check

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app /app
USER node
CMD ["sh", "-c", "exec node --import tsx \"$SERVICE_ENTRY\""]
