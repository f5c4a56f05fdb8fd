# The `causeway` image: one binary for every role (api, scheduler, collector, migrate, seed)
# plus the built frontend, on a small Debian runtime. Build from the repository root:
#
#   docker build -f deploy/images/causeway.Dockerfile -t "$REGISTRY/causeway:$VERSION" .
#
# The Kubernetes manifests choose the role with the container's args (`api`, `scheduler`, ...).
# Base images are pinned to exact versions; add `@sha256:` digests when releasing
# (docs/howto/rebuild-executor-image.md). Needs BuildKit (cache mounts; Docker >= 23 default).

# --- 1. the Rust binary -----------------------------------------------------------------------
FROM rust:1.95.0-slim-bookworm AS builder
WORKDIR /src
# Only what the cargo workspace needs, so frontend changes do not rebuild Rust.
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY entity ./entity
COPY migration ./migration
COPY benches ./benches
COPY executors ./executors
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin causeway \
    && install -D -m 0755 target/release/causeway /out/causeway

# --- 2. the frontend ----------------------------------------------------------------------------
FROM node:22.12.0-bookworm-slim AS frontend
WORKDIR /frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# --- 3. runtime: the binary, the frontend and CA certificates, nothing else --------------------
FROM debian:12.12-slim
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=builder /out/causeway /usr/local/bin/causeway
COPY --from=frontend /frontend/dist /app/frontend
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    CAUSEWAY_FRONTEND_DIR=/app/frontend \
    CAUSEWAY_LISTEN=0.0.0.0:8080 \
    CAUSEWAY_LOG_FORMAT=json
WORKDIR /app
# Numeric, so that Kubernetes can check runAsNonRoot.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/causeway"]
CMD ["api"]
