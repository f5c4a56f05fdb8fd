//! Dataset benchmarks: creation of a dataset over a 100,000 × 50 float table and its CSV
//! download (`/loadwithids`), through the real HTTP server and Postgres.
//!
//! `cargo bench --bench datasets` prints one line per figure (median of 5 runs). Targets:
//! download ≤ 0.5 s with peak RSS growth ≤ 50 MB.

use std::time::{Duration, Instant};

use causeway::{app::App, config::Config, db, state::AppState};
use futures::StreamExt;
use sqlx::{Connection, PgConnection};

const ROWS: usize = 100_000;
const COLUMNS: usize = 50;
const RUNS: usize = 5;

fn admin_url() -> String {
    std::env::var("CAUSEWAY_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Resident set size of this process in bytes (server and client share it).
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let database = format!("causeway_bench_{}", uuid::Uuid::new_v4().simple());
    let (server, _) = admin_url().rsplit_once('/').map(|(s, d)| (s.to_owned(), d.to_owned())).unwrap();
    let url = format!("{server}/{database}");
    db::ensure_database(&url).await?;
    let state = AppState::connect(Config::for_database(&url)).await?;
    db::migrate(&state.db).await?;
    let columns: Vec<String> = (0..COLUMNS).map(|i| format!("random() AS x{i}")).collect();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE wide AS SELECT {} FROM generate_series(1, {ROWS})",
        columns.join(", ")
    )))
    .execute(&state.pool)
    .await?;
    let app = App::bind(state.clone()).await?;
    let base = format!("http://{}", app.address());
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();

    let mut create_times = vec![];
    let mut dataset_id = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let response = client
            .post(format!("{base}/api/datasets"))
            .json(&serde_json::json!({"name": "wide", "load_query": "SELECT * FROM wide"}))
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "create failed: {}", response.text().await?);
        let body: serde_json::Value = response.json().await?;
        create_times.push(started.elapsed().as_secs_f64());
        dataset_id = body["id"].as_i64().unwrap_or_default();
    }

    let mut download_times = vec![];
    let mut rss_growths = vec![];
    let mut bytes = 0;
    for _ in 0..RUNS {
        let before = rss_bytes();
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
        let sampler_peak = peak.clone();
        let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let sampler_on = sampling.clone();
        let sampler = std::thread::spawn(move || {
            while sampler_on.load(std::sync::atomic::Ordering::Relaxed) {
                sampler_peak.fetch_max(rss_bytes(), std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        let started = Instant::now();
        let response = client.get(format!("{base}/api/dataset/{dataset_id}/loadwithids")).send().await?;
        anyhow::ensure!(response.status().is_success(), "download failed");
        let mut stream = response.bytes_stream();
        bytes = 0;
        while let Some(chunk) = stream.next().await {
            bytes += chunk?.len();
        }
        download_times.push(started.elapsed().as_secs_f64());
        sampling.store(false, std::sync::atomic::Ordering::Relaxed);
        sampler.join().ok();
        let growth = peak.load(std::sync::atomic::Ordering::Relaxed).saturating_sub(before);
        rss_growths.push(growth as f64 / 1e6);
    }

    println!("dataset_create_100k_x50: {:.3} s (median of {RUNS})", median(create_times));
    println!(
        "csv_download_100k_x50: {:.3} s (median of {RUNS}), {:.1} MB body",
        median(download_times),
        bytes as f64 / 1e6
    );
    println!("csv_download_100k_x50_peak_rss_growth: {:.1} MB (median of {RUNS})", median(rss_growths));

    drop(state);
    let mut admin = PgConnection::connect(&admin_url()).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")))
        .execute(&mut admin)
        .await?;
    Ok(())
}
