//! Prometheus metrics (`GET /metrics`, text exposition format 0.0.4).
//!
//! Counters and histograms are process-wide atomics updated where things happen (claims,
//! result ingestion, HTTP requests); gauges that describe the database (jobs by status, outbox
//! backlog) are read with one query each at scrape time, so every role reports the same values.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    sync::{
        Mutex, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use sqlx::PgPool;

/// A cumulative histogram with fixed bucket bounds (seconds).
pub struct Histogram {
    bounds: &'static [f64],
    buckets: Vec<AtomicU64>,
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            buckets: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, value: Duration) {
        let seconds = value.as_secs_f64();
        for (bound, bucket) in self.bounds.iter().zip(&self.buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(value.as_micros() as u64, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let separator = if labels.is_empty() { "" } else { "," };
        for (bound, bucket) in self.bounds.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{separator}le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{separator}le=\"+Inf\"}} {count}");
        let braces = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {count}");
    }
}

const LATENCY_BOUNDS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

pub struct Metrics {
    /// Submit (job created) → claimed for launch.
    pub scheduling_latency: Histogram,
    pub ingested_rows: AtomicU64,
    ingestion_micros: AtomicU64,
    /// HTTP request durations by method and status code.
    http: Mutex<BTreeMap<(String, u16), Histogram>>,
}

/// The process's metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| Metrics {
        scheduling_latency: Histogram::new(LATENCY_BOUNDS),
        ingested_rows: AtomicU64::new(0),
        ingestion_micros: AtomicU64::new(0),
        http: Mutex::new(BTreeMap::new()),
    })
}

impl Metrics {
    /// A stored result: `rows` edges and sepsets written in `took`.
    pub fn ingested(&self, rows: u64, took: Duration) {
        self.ingested_rows.fetch_add(rows, Ordering::Relaxed);
        self.ingestion_micros.fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    pub fn http_request(&self, method: &str, status: u16, took: Duration) {
        if let Ok(mut http) = self.http.lock() {
            http.entry((method.to_owned(), status))
                .or_insert_with(|| Histogram::new(LATENCY_BOUNDS))
                .observe(took);
        }
    }

    /// The exposition text, with the database gauges read now.
    pub async fn render(&self, pool: &PgPool) -> anyhow::Result<String> {
        let mut out = String::with_capacity(4096);
        let jobs: Vec<(String, i64)> =
            sqlx::query_as("SELECT status::text, count(*) FROM job GROUP BY status ORDER BY status")
                .fetch_all(pool)
                .await?;
        out.push_str("# HELP causeway_jobs Jobs by status.\n# TYPE causeway_jobs gauge\n");
        for status in crate::lifecycle::STATUSES.map(|s| s.as_str()) {
            let count = jobs.iter().find(|(s, _)| s == status).map_or(0, |(_, c)| *c);
            let _ = writeln!(out, "causeway_jobs{{status=\"{status}\"}} {count}");
        }
        let backlog: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
            .fetch_one(pool)
            .await?;
        out.push_str("# HELP causeway_outbox_backlog Events committed but not yet published to NATS.\n");
        out.push_str("# TYPE causeway_outbox_backlog gauge\n");
        let _ = writeln!(out, "causeway_outbox_backlog {backlog}");

        out.push_str(
            "# HELP causeway_scheduling_latency_seconds From job creation to its claim for launch.\n",
        );
        out.push_str("# TYPE causeway_scheduling_latency_seconds histogram\n");
        self.scheduling_latency.render(&mut out, "causeway_scheduling_latency_seconds", "");

        let rows = self.ingested_rows.load(Ordering::Relaxed);
        let seconds = self.ingestion_micros.load(Ordering::Relaxed) as f64 / 1e6;
        out.push_str("# HELP causeway_ingested_rows_total Edges and sepsets stored from result uploads.\n");
        out.push_str("# TYPE causeway_ingested_rows_total counter\n");
        let _ = writeln!(out, "causeway_ingested_rows_total {rows}");
        out.push_str("# HELP causeway_ingestion_seconds_total Time spent storing result uploads.\n");
        out.push_str("# TYPE causeway_ingestion_seconds_total counter\n");
        let _ = writeln!(out, "causeway_ingestion_seconds_total {seconds}");
        out.push_str(
            "# HELP causeway_ingestion_rows_per_second Rows stored per second of ingestion, since start.\n",
        );
        out.push_str("# TYPE causeway_ingestion_rows_per_second gauge\n");
        let rate = if seconds > 0.0 { rows as f64 / seconds } else { 0.0 };
        let _ = writeln!(out, "causeway_ingestion_rows_per_second {rate}");

        out.push_str("# HELP causeway_http_request_duration_seconds HTTP request durations.\n");
        out.push_str("# TYPE causeway_http_request_duration_seconds histogram\n");
        if let Ok(http) = self.http.lock() {
            for ((method, status), histogram) in http.iter() {
                let labels = format!("method=\"{method}\",status=\"{status}\"");
                histogram.render(&mut out, "causeway_http_request_duration_seconds", &labels);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_with_sum_and_count() {
        let histogram = Histogram::new(&[0.1, 1.0]);
        histogram.observe(Duration::from_millis(50));
        histogram.observe(Duration::from_millis(500));
        let mut out = String::new();
        histogram.render(&mut out, "x", "a=\"b\"");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.1\"} 1\n"));
        assert!(out.contains("x_bucket{a=\"b\",le=\"1\"} 2\n"));
        assert!(out.contains("x_bucket{a=\"b\",le=\"+Inf\"} 2\n"));
        assert!(out.contains("x_sum{a=\"b\"} 0.55\n"));
        assert!(out.contains("x_count{a=\"b\"} 2\n"));
    }
}
