//! Tracing subscriber setup: readable lines locally, JSON for log collectors in a cluster.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

/// Installs the global subscriber. `RUST_LOG` overrides the default filter.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,async_nats=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    // A second init (tests start several apps in one process) is harmless: keep the first.
    let _ = match format {
        LogFormat::Pretty => registry.with(fmt::layer().with_target(false)).try_init(),
        LogFormat::Json => {
            registry.with(fmt::layer().json().with_current_span(true).with_span_list(false)).try_init()
        }
    };
}
