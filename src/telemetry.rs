//! Tracing subscriber setup: readable lines locally, JSON for log collectors in a cluster.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

/// Installs the global subscriber. `RUST_LOG` overrides the default filter.
pub fn init(format: LogFormat) {
    init_writing_to(format, std::io::stdout);
}

/// For commands whose standard output is their answer (`token create` prints a secret that
/// scripts capture): logs go to standard error.
pub fn init_for_command(format: LogFormat) {
    init_writing_to(format, std::io::stderr);
}

fn init_writing_to<W>(format: LogFormat, writer: W)
where
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,async_nats=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    // A second init (tests start several apps in one process) is harmless: keep the first.
    let _ = match format {
        LogFormat::Pretty => registry.with(fmt::layer().with_target(false).with_writer(writer)).try_init(),
        LogFormat::Json => registry
            .with(fmt::layer().json().with_current_span(true).with_span_list(false).with_writer(writer))
            .try_init(),
    };
}

/// The trace id of a request: the W3C `traceparent` header's when a caller sent one, else a new
/// one. It is a field of the request's span, so every log line of the request carries it, and it
/// is returned in `x-trace-id`.
pub fn trace_id(headers: &poem::http::HeaderMap) -> String {
    headers
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split('-').nth(1))
        .filter(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string())
}

/// A request path fit for logs: upload tokens (`/t/<token>/…`) are masked.
pub fn loggable_path(path: &str) -> String {
    match path.strip_prefix("/t/") {
        Some(rest) => format!("/t/***/{}", rest.split_once('/').map_or("", |(_, tail)| tail)),
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_come_from_traceparent_or_are_new() {
        let mut headers = poem::http::HeaderMap::new();
        headers.insert(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".parse().unwrap(),
        );
        assert_eq!(trace_id(&headers), "4bf92f3577b34da6a3ce929d0e0e4736");
        let fresh = trace_id(&poem::http::HeaderMap::new());
        assert_eq!(fresh.len(), 32);
    }

    #[test]
    fn upload_tokens_never_reach_the_logs() {
        assert_eq!(loggable_path("/t/0123abcd/api/job/4/result"), "/t/***/api/job/4/result");
        assert_eq!(loggable_path("/api/jobs"), "/api/jobs");
    }
}
