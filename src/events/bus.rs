//! The NATS side: connecting, and the JetStream stream that keeps events.

use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream::{self, stream};

use crate::config::Config;

/// Connects without waiting for the server: a NATS outage must not stop a role from starting
/// (state changes still commit; the outbox drains when NATS is back).
///
/// async-nats ignores credentials written into the URL, so they are passed explicitly.
pub async fn connect(config: &Config, role: &str) -> anyhow::Result<async_nats::Client> {
    let address: async_nats::ServerAddr = config.nats_url.expose().parse().context("NATS_URL")?;
    let mut options = async_nats::ConnectOptions::new()
        .name(format!("causeway-{role}"))
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(2));
    if let Some(user) = address.username() {
        options =
            options.user_and_password(user.to_owned(), address.password().unwrap_or_default().to_owned());
    }
    options.connect(address).await.with_context(|| format!("connecting to NATS at {:?}", config.nats_url))
}

/// The stream definition (also documented in docs/events.md and nats/streams.json).
pub fn stream_config(config: &Config) -> stream::Config {
    stream::Config {
        name: config.events_stream(),
        description: Some("Causeway lifecycle events (CloudEvents 1.0 JSON)".into()),
        subjects: vec![format!("{}.>", config.events_prefix())],
        retention: stream::RetentionPolicy::Limits,
        max_age: Duration::from_secs(7 * 24 * 3600),
        max_bytes: 1024 * 1024 * 1024,
        duplicate_window: Duration::from_secs(120),
        storage: stream::StorageType::File,
        ..Default::default()
    }
}

/// Creates the events stream if it does not exist (idempotent).
pub async fn ensure_stream(js: &jetstream::Context, config: &Config) -> anyhow::Result<stream::Stream> {
    js.get_or_create_stream(stream_config(config))
        .await
        .map_err(|err| anyhow::anyhow!("creating the JetStream stream {}: {err}", config.events_stream()))
}
