# One multi-stage image for every ragmesh service: docker build --build-arg SERVICE=gateway .
FROM node:20-bookworm-slim AS build
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm install -g pnpm@10.34.9
WORKDIR /src
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc tsconfig*.json ./
COPY schemas schemas
COPY packages packages
COPY services services
COPY tests tests
COPY patches patches
RUN pnpm install --frozen-lockfile && pnpm build
ARG SERVICE=gateway
RUN pnpm --filter "./services/${SERVICE}" deploy --prod --legacy /out

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out /app
USER node
CMD ["node", "dist/main.js"]
