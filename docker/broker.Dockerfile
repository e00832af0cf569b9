# The image of the docker backend's brokers and of its proxy container: this checkout on
# Node 24. SLUICE_BASE_IMAGE picks the base: node:24-slim from Docker Hub by default, or
# a local image with Node 24 and npm built without any registry
# (scripts/container-engine.sh builds sluice-node:24-bookworm for podman).
ARG SLUICE_BASE_IMAGE=node:24-slim
FROM ${SLUICE_BASE_IMAGE}
WORKDIR /sluice
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY broker ./broker
COPY harness ./harness
COPY chaos ./chaos
COPY workloads ./workloads
ENTRYPOINT ["node", "harness/cli.ts"]
