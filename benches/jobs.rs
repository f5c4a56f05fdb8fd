//! Job-engine benchmarks (`cargo bench --bench jobs`), one line per figure:
//! - result ingestion of 10k, 100k and 1M edges, and 100k edges + 100k sepsets, over HTTP with
//!   the body generated while it is sent (so RSS growth is the server's);
//! - submit → running latency with the local launcher and the event-driven scheduler;
//! - scheduler launches per second with 10,000 waiting jobs and a no-op launcher;
//! - `GET /api/jobs` with 10,000 jobs that have results;
//! - the small writes executors send: 4-edge result uploads (sequential on one keep-alive
//!   connection, and 8 concurrent clients), error reports, generated-dataset uploads, and the
//!   websocket fan-out of 1,000 events/s;
//! - studies: creating a 500-experiment study, starting it (500 jobs), ending its jobs one
//!   transaction each (with the study's progress event) against plain experiment jobs, and its
//!   benchmark over 500 results on a 200-node dataset.
//!
//! `cargo bench --bench jobs -- small_writes websocket` runs only the figures whose names
//! contain one of the words given.

mod common;
mod small_writes;

use std::{sync::Arc, time::Instant};

use async_trait::async_trait;
use bytes::Bytes;
use causeway::launcher::{LaunchError, LaunchSpec, Launcher, RunObservation};
use common::{Bench, RssSampler, median, percentile};

const NODES: usize = 200;

/// Sets up a dataset with `NODES` nodes, an experiment and a waiting job; returns (job, nodes).
async fn job_with_nodes(bench: &Bench, table: &str) -> anyhow::Result<(i32, Vec<i32>)> {
    let columns: Vec<String> = (0..NODES).map(|i| format!("0 AS v{i}")).collect();
    bench
        .sql(&format!(
            "CREATE TABLE causeway_data.{table} AS SELECT {} FROM generate_series(1, 10)",
            columns.join(", ")
        ))
        .await?;
    let client = reqwest::Client::new();
    let dataset: serde_json::Value = client
        .post(format!("{}/api/datasets", bench.base))
        .json(
            &serde_json::json!({"name": table, "load_query": format!("SELECT * FROM causeway_data.{table}")}),
        )
        .send()
        .await?
        .json()
        .await?;
    let dataset_id = dataset["id"].as_i64().unwrap_or_default() as i32;
    let pool = &bench.state.pool;
    let algorithm: i32 =
        sqlx::query_scalar("INSERT INTO algorithm (package, function) VALUES ('b', 'b') RETURNING id")
            .fetch_one(pool)
            .await?;
    let experiment: i32 = sqlx::query_scalar(
        "INSERT INTO experiment (dataset_id, name, algorithm_id, parameters) VALUES ($1, 'b', $2, '{}') RETURNING id",
    )
    .bind(dataset_id)
    .bind(algorithm)
    .fetch_one(pool)
    .await?;
    let job: i32 = sqlx::query_scalar(
        "INSERT INTO job (type, experiment_id) VALUES ('experiment_job', $1) RETURNING id",
    )
    .bind(experiment)
    .fetch_one(pool)
    .await?;
    let nodes: Vec<i32> = sqlx::query_scalar("SELECT id FROM node WHERE dataset_id = $1 ORDER BY id")
        .bind(dataset_id)
        .fetch_all(pool)
        .await?;
    Ok((job, nodes))
}

/// The upload JSON, produced in 64 KiB pieces while it is sent.
fn upload_stream(nodes: Vec<i32>, edges: usize, sepsets: usize) -> reqwest::Body {
    let mut state = (0usize, 0usize, 0u8); // edges written, sepsets written, phase
    let stream = futures::stream::poll_fn(move |_| {
        let (edges_done, sepsets_done, phase) = &mut state;
        let mut chunk = String::with_capacity(70_000);
        match *phase {
            0 => {
                chunk.push_str("{\"job_id\": 1, \"meta_results\": {\"bench\": true}, \"edge_list\": [");
                *phase = 1;
            }
            1 => {
                while *edges_done < edges && chunk.len() < 64 * 1024 {
                    let i = *edges_done;
                    let (from, to) = (nodes[i % NODES], nodes[(i / NODES + i + 1) % NODES]);
                    if i > 0 {
                        chunk.push(',');
                    }
                    chunk.push_str(&format!(
                        "{{\"from_node\": {from}, \"to_node\": {to}, \"weight\": 0.{i}}}"
                    ));
                    *edges_done += 1;
                }
                if *edges_done == edges {
                    chunk.push_str("], \"sepset_list\": [");
                    *phase = 2;
                }
            }
            2 => {
                while *sepsets_done < sepsets && chunk.len() < 64 * 1024 {
                    let i = *sepsets_done;
                    if i > 0 {
                        chunk.push(',');
                    }
                    chunk.push_str(&format!(
                        "{{\"from_node\": {}, \"to_node\": {}, \"statistic\": 0.5, \"level\": 2, \"nodes\": [{}, {}]}}",
                        nodes[i % NODES],
                        nodes[(i + 1) % NODES],
                        nodes[(i + 2) % NODES],
                        nodes[(i + 3) % NODES]
                    ));
                    *sepsets_done += 1;
                }
                if *sepsets_done == sepsets {
                    chunk.push_str("], \"execution_time\": 1.0, \"dataset_loading_time\": 0.1}");
                    *phase = 3;
                }
            }
            _ => return std::task::Poll::Ready(None),
        }
        std::task::Poll::Ready(Some(Ok::<_, std::io::Error>(Bytes::from(chunk))))
    });
    reqwest::Body::wrap_stream(stream)
}

async fn ingestion(edges: usize, sepsets: usize) -> anyhow::Result<(f64, f64)> {
    let bench = Bench::start(|c| c.load_separation_set = true).await?;
    let (job, nodes) = job_with_nodes(&bench, "ingest").await?;
    let client = reqwest::Client::new();
    let sampler = RssSampler::start();
    let started = Instant::now();
    let response = client
        .post(format!("{}/api/job/{job}/result", bench.base))
        .body(upload_stream(nodes, edges, sepsets))
        .send()
        .await?;
    let elapsed = started.elapsed().as_secs_f64();
    let growth = sampler.stop();
    anyhow::ensure!(response.status().is_success(), "upload failed: {}", response.text().await?);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM edge WHERE result_id IS NOT NULL")
        .fetch_one(&bench.state.pool)
        .await?;
    anyhow::ensure!(stored as usize == edges, "stored {stored} edges of {edges}");
    bench.finish().await?;
    Ok((elapsed, growth))
}

/// A launcher that starts nothing: what is left is the scheduler's own cost.
struct NoopLauncher;

#[async_trait]
impl Launcher for NoopLauncher {
    async fn launch(&self, spec: &LaunchSpec) -> Result<String, LaunchError> {
        Ok(format!("noop-{}", spec.job_id))
    }
    async fn observe(&self) -> anyhow::Result<Vec<RunObservation>> {
        Ok(vec![])
    }
    async fn stop(&self, _: i32) -> anyhow::Result<()> {
        Ok(())
    }
    async fn logs(&self, _: i32) -> anyhow::Result<Option<String>> {
        Ok(None)
    }
    async fn cleanup(&self, _: i32) -> anyhow::Result<()> {
        Ok(())
    }
    async fn nodes(&self) -> anyhow::Result<Vec<String>> {
        Ok(vec![])
    }
}

async fn launches_per_second() -> anyhow::Result<f64> {
    let bench = Bench::start(|_| {}).await?;
    job_with_nodes(&bench, "launch").await?;
    bench
        .sql(
            "UPDATE algorithm SET script_filename = 'x.py'; DELETE FROM job; \
             INSERT INTO job (type, experiment_id, parallel) \
             SELECT 'experiment_job', (SELECT id FROM experiment LIMIT 1), true FROM generate_series(1, 10000); \
             ANALYZE job",
        )
        .await?;
    let scheduler = causeway::scheduler::Scheduler::new(
        bench.state.pool.clone(),
        Arc::new(NoopLauncher),
        bench.state.config.clone(),
    );
    let started = Instant::now();
    let launched = scheduler.launch_waiting().await?;
    let rate = launched as f64 / started.elapsed().as_secs_f64();
    anyhow::ensure!(launched == 10_000, "launched {launched}");
    bench.finish().await?;
    Ok(rate)
}

async fn submit_latency() -> anyhow::Result<(f64, f64)> {
    let bench = Bench::start(|_| {}).await?;
    causeway::app::spawn_event_tasks(&bench.state);
    causeway::app::spawn_scheduler(&bench.state).await?;
    let (job, _) = job_with_nodes(&bench, "latency").await?;
    bench
        .sql(&format!("DELETE FROM job WHERE id = {job}; UPDATE algorithm SET local_command = '[\"true\"]'"))
        .await?;
    let experiment: i32 =
        sqlx::query_scalar("SELECT id FROM experiment").fetch_one(&bench.state.pool).await?;
    let client = reqwest::Client::new();
    // Warm up the event path (stream, consumers) before measuring.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mut latencies = vec![];
    for _ in 0..200 {
        let job: serde_json::Value = client
            .post(format!("{}/api/experiment/{experiment}/start", bench.base))
            .send()
            .await?
            .json()
            .await?;
        let id = job["id"].as_i64().unwrap_or_default() as i32;
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        let latency = loop {
            let row: Option<(Option<f64>,)> = sqlx::query_as(
                "SELECT extract(epoch FROM launched_at - start_time)::float8 FROM job WHERE id = $1 AND launched_at IS NOT NULL",
            )
            .bind(id)
            .fetch_optional(&bench.state.pool)
            .await?;
            if let Some((Some(seconds),)) = row {
                break seconds;
            }
            anyhow::ensure!(Instant::now() < deadline, "job {id} was not launched");
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        };
        latencies.push(latency * 1000.0);
    }
    bench.finish().await?;
    Ok((percentile(latencies.clone(), 0.5), percentile(latencies, 0.99)))
}

async fn list_jobs() -> anyhow::Result<f64> {
    let bench = Bench::start(|_| {}).await?;
    let (job, _) = job_with_nodes(&bench, "listing").await?;
    bench
        .sql(&format!(
            "INSERT INTO job (type, experiment_id, status) SELECT 'experiment_job', experiment_id, 'done' \
             FROM job, generate_series(1, 9999) WHERE id = {job}; \
             INSERT INTO result (job_id, start_time, end_time, execution_time, meta_results) \
             SELECT id, start_time, now(), 1.5, '{{\"alpha\": 0.05}}' FROM job; ANALYZE"
        ))
        .await?;
    let client = reqwest::Client::new();
    let mut times = vec![];
    for _ in 0..5 {
        let started = Instant::now();
        let body = client.get(format!("{}/api/jobs", bench.base)).send().await?.bytes().await?;
        times.push(started.elapsed().as_secs_f64());
        anyhow::ensure!(body.len() > 1_000_000, "unexpectedly small listing");
    }
    bench.finish().await?;
    Ok(median(times))
}

/// (create s, start s, job end with study ms, job end without study ms, benchmark s).
async fn studies() -> anyhow::Result<(f64, f64, f64, f64, f64)> {
    use causeway::lifecycle::{self, Transition};
    let bench = Bench::start(|_| {}).await?;
    let (plain_job, nodes) = job_with_nodes(&bench, "study_data").await?;
    let pool = &bench.state.pool;
    let dataset: i32 = sqlx::query_scalar("SELECT dataset_id FROM node WHERE id = $1")
        .bind(nodes[0])
        .fetch_one(pool)
        .await?;
    // Ground truth: the chain v0 → v1 → … → v199.
    sqlx::query(
        "INSERT INTO edge (from_node_id, to_node_id, is_ground_truth) SELECT a, b, true FROM unnest($1::int[], $2::int[]) AS c(a, b)",
    )
    .bind(&nodes[..NODES - 1])
    .bind(&nodes[1..])
    .execute(pool)
    .await?;
    let algorithm: i32 = sqlx::query_scalar(
        "INSERT INTO algorithm (package, function, local_command, valid_parameters) \
         VALUES ('bench', 'sweep', '[\"true\"]', '{\"alpha\": {\"type\": \"float\", \"required\": true}}') RETURNING id",
    )
    .fetch_one(pool)
    .await?;
    let client = reqwest::Client::new();
    let body = serde_json::json!({"name": "bench", "dataset_ids": [dataset],
        "algorithms": [{"algorithm_id": algorithm, "parameters": {"alpha": {"from": 0.0001, "to": 0.5, "steps": 500, "scale": "log"}}}]});
    let started = Instant::now();
    let study: serde_json::Value =
        client.post(format!("{}/api/studies", bench.base)).json(&body).send().await?.json().await?;
    let create = started.elapsed().as_secs_f64();
    anyhow::ensure!(study["experiment_count"] == 500, "study not created: {study}");
    let started = Instant::now();
    let start: serde_json::Value =
        client.post(format!("{}/api/study/{}/start", bench.base, study["id"])).send().await?.json().await?;
    let start_seconds = started.elapsed().as_secs_f64();
    let jobs: Vec<i32> = start["jobs"]
        .as_array()
        .map(|j| j.iter().filter_map(|v| v.as_i64()).map(|v| v as i32).collect())
        .unwrap_or_default();
    anyhow::ensure!(jobs.len() == 500, "study not started: {start}");
    // Ending jobs one transaction each: a study's (progress event over 500 experiments) and plain ones.
    let end = |ids: Vec<i32>| async move {
        let mut times = vec![];
        for id in ids {
            let started = Instant::now();
            let mut tx = pool.begin().await?;
            lifecycle::apply(&mut tx, id, &Transition::Complete).await?;
            tx.commit().await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        anyhow::Ok(median(times))
    };
    let with_study = end(jobs.clone()).await?;
    let plain: Vec<i32> = sqlx::query_scalar(
        "INSERT INTO job (type, experiment_id) SELECT 'experiment_job', experiment_id FROM job, generate_series(1, 500) \
         WHERE id = $1 RETURNING id",
    )
    .bind(plain_job)
    .fetch_all(pool)
    .await?;
    let without_study = end(plain).await?;
    // One result per study job: the chain with every tenth link missing, shifted per job.
    bench
        .sql(&format!(
            "INSERT INTO result (job_id, start_time, end_time, execution_time, meta_results) \
             SELECT id, start_time, now(), 1.5, '{{\"n_tests\": 100}}' FROM job WHERE id = ANY(ARRAY[{}]); \
             INSERT INTO edge (from_node_id, to_node_id, result_id) \
             SELECT n.id, n.id + 1, r.id FROM result r, node n \
             WHERE n.dataset_id = {dataset} AND n.id < (SELECT max(id) FROM node WHERE dataset_id = {dataset}) \
               AND (n.id + r.id) % 10 <> 0; ANALYZE",
            jobs.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
        ))
        .await?;
    let mut times = vec![];
    for _ in 0..3 {
        let started = Instant::now();
        let benchmark: serde_json::Value = client
            .get(format!("{}/api/study/{}/benchmark", bench.base, study["id"]))
            .send()
            .await?
            .json()
            .await?;
        times.push(started.elapsed().as_secs_f64());
        anyhow::ensure!(benchmark["rows"][0]["results"] == 1, "no results in the benchmark");
    }
    bench.finish().await?;
    Ok((create, start_seconds, with_study, without_study, median(times)))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; other arguments select figures by name.
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    if wanted("result_ingestion") {
        for edges in [10_000, 100_000, 1_000_000] {
            let (seconds, rss) = ingestion(edges, 0).await?;
            println!("result_ingestion_{edges}_edges: {seconds:.3} s, peak RSS growth {rss:.1} MB");
        }
        let (seconds, rss) = ingestion(100_000, 100_000).await?;
        println!("result_ingestion_100000_edges_100000_sepsets: {seconds:.3} s, peak RSS growth {rss:.1} MB");
    }
    if wanted("submit_to_running") {
        let (p50, p99) = submit_latency().await?;
        println!(
            "submit_to_running_latency_local: p50 {p50:.1} ms, p99 {p99:.1} ms (200 sequential submits)"
        );
    }
    if wanted("scheduler_launches") {
        println!("scheduler_launches_per_second_10k_waiting_noop: {:.0} /s", launches_per_second().await?);
    }
    if wanted("get_jobs") {
        println!("get_jobs_10k_with_results: {:.3} s (median of 5)", list_jobs().await?);
    }
    if wanted("small_writes") {
        small_writes::run().await?;
    }
    if wanted("studies") {
        let (create, start, with_study, without_study, benchmark) = studies().await?;
        println!("studies_create_500_experiments: {create:.3} s");
        println!("studies_start_500_jobs: {start:.3} s");
        println!(
            "studies_job_end_transaction: {with_study:.2} ms median with the study's progress event (500 experiments), \
             {without_study:.2} ms without a study"
        );
        println!("studies_benchmark_500_results_200_nodes: {benchmark:.3} s (median of 3)");
    }
    if wanted("websocket_fanout") {
        let (p50, p99, delivered) = small_writes::websocket_fanout().await?;
        println!(
            "websocket_fanout_1000_events_per_second: publish→socket p50 {p50:.1} ms, p99 {p99:.1} ms, {delivered} of 3000 delivered"
        );
    }
    Ok(())
}
