# Executor image of the Rust PC algorithm (`executors/pc`, binary `causeway-pc`).
# Build from the repository root:
#
#   docker build -f deploy/images/executor-pc.Dockerfile -t "$REGISTRY/causeway_execution_pc:$VERSION" .
#
# MPCSL convention: the ENTRYPOINT is the program; the scheduler passes
# `<script_filename> -j <job> -d <dataset> --api_host <host> --send_sepsets <0|1> --<param> <value>...`
# as arguments.

FROM rust:1.95.0-slim-bookworm AS builder
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY entity ./entity
COPY migration ./migration
COPY benches ./benches
COPY executors ./executors
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --manifest-path executors/pc/Cargo.toml --bin causeway-pc \
    && install -D -m 0755 target/release/causeway-pc /out/causeway-pc

FROM debian:12.12-slim
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=builder /out/causeway-pc /usr/local/bin/causeway-pc
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /app
USER 10001:10001
ENTRYPOINT ["/usr/local/bin/causeway-pc"]
