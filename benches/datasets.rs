//! Dataset benchmarks (`cargo bench --bench datasets`): creation of a dataset over a
//! 100,000 × 50 float table and its CSV download (`/loadwithids`), through the real HTTP server
//! and Postgres. One line per figure, median of 5 runs. Targets: download ≤ 0.5 s with peak RSS
//! growth ≤ 50 MB.

mod common;

use std::time::Instant;

use common::{Bench, RssSampler, median};
use futures::StreamExt;

const ROWS: usize = 100_000;
const COLUMNS: usize = 50;
const RUNS: usize = 5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let bench = Bench::start(|_| {}).await?;
    let columns: Vec<String> = (0..COLUMNS).map(|i| format!("random() AS x{i}")).collect();
    bench
        .sql(&format!("CREATE TABLE wide AS SELECT {} FROM generate_series(1, {ROWS})", columns.join(", ")))
        .await?;
    let client = reqwest::Client::new();

    let mut create_times = vec![];
    let mut dataset_id = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let response = client
            .post(format!("{}/api/datasets", bench.base))
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
        let sampler = RssSampler::start();
        let started = Instant::now();
        let response =
            client.get(format!("{}/api/dataset/{dataset_id}/loadwithids", bench.base)).send().await?;
        anyhow::ensure!(response.status().is_success(), "download failed");
        let mut stream = response.bytes_stream();
        bytes = 0;
        while let Some(chunk) = stream.next().await {
            bytes += chunk?.len();
        }
        download_times.push(started.elapsed().as_secs_f64());
        rss_growths.push(sampler.stop());
    }

    println!("dataset_create_100k_x50: {:.3} s (median of {RUNS})", median(create_times));
    println!(
        "csv_download_100k_x50: {:.3} s (median of {RUNS}), {:.1} MB body",
        median(download_times),
        bytes as f64 / 1e6
    );
    println!("csv_download_100k_x50_peak_rss_growth: {:.1} MB (median of {RUNS})", median(rss_growths));
    bench.finish().await
}
