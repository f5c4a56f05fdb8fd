//! The small writes executors and browsers cause, each over the real HTTP server and database:
//! 4-edge result uploads, error reports, generated-dataset uploads, and the websocket fan-out.

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{Value, json};

use super::{
    common::{Bench, cpu_seconds, percentile},
    job_with_nodes,
};

const SEQUENTIAL: usize = 1_000;
const WARM_UP: usize = 20;
const CLIENTS: usize = 8;
const PER_CLIENT: usize = 250;

/// A job as its executor knows it: the id and the base of its calls, which carries the job's
/// upload token (`--api_host …/t/<token>`), as the scheduler passes it.
#[derive(Clone)]
struct ExecutorJob {
    id: i32,
    api: String,
}

/// Upload tokens for `count` jobs, and their hashes as the job table stores them.
fn tokens(count: usize) -> Vec<String> {
    (0..count).map(|_| uuid::Uuid::new_v4().hyphenated().to_string()).collect()
}

fn executor_jobs(bench: &Bench, ids: Vec<i32>, tokens: Vec<String>) -> Vec<ExecutorJob> {
    ids.into_iter()
        .zip(tokens)
        .map(|(id, token)| ExecutorJob { id, api: format!("{}/t/{token}/api/job/{id}", bench.base) })
        .collect()
}

/// Inserts `count` jobs of the bench's experiment in `status`, each with its upload token.
async fn jobs(bench: &Bench, count: usize, status: &str) -> anyhow::Result<Vec<ExecutorJob>> {
    let tokens = tokens(count);
    let ids = sqlx::query_scalar(
        "INSERT INTO job (type, experiment_id, status, upload_token_hash) \
         SELECT 'experiment_job', (SELECT id FROM experiment LIMIT 1), CAST($2 AS job_status), \
                sha256(convert_to(t, 'UTF8')) \
         FROM unnest($1::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n RETURNING id",
    )
    .bind(&tokens)
    .bind(status)
    .fetch_all(&bench.state.pool)
    .await?;
    Ok(executor_jobs(bench, ids, tokens))
}

/// A result as executors send it for a small graph: four edges and the timings.
fn small_result(job: i32, nodes: &[i32]) -> Value {
    let edge =
        |from: usize, to: usize| json!({"from_node": nodes[from], "to_node": nodes[to], "weight": 0.5});
    json!({
        "job_id": job,
        "meta_results": {"alpha": 0.05},
        "edge_list": [edge(0, 1), edge(1, 2), edge(2, 3), edge(3, 0)],
        "sepset_list": [],
        "execution_time": 0.01,
        "dataset_loading_time": 0.002
    })
}

/// Sends `request` and fails unless it succeeded; returns the time it took in ms.
async fn timed(request: reqwest::RequestBuilder) -> anyhow::Result<f64> {
    let started = Instant::now();
    let response = request.send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    anyhow::ensure!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&body));
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}

/// p50, p99 and rate of sequential latencies (ms).
fn summary(latencies: &[f64]) -> (f64, f64, f64) {
    let total: f64 = latencies.iter().sum();
    (
        percentile(latencies.to_vec(), 0.5),
        percentile(latencies.to_vec(), 0.99),
        latencies.len() as f64 / (total / 1000.0),
    )
}

async fn result_uploads(bench: &Bench, nodes: &[i32]) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let ids = jobs(bench, 2 * (WARM_UP + SEQUENTIAL) + CLIENTS * PER_CLIENT, "running").await?;
    let (sequential, rest) = ids.split_at(WARM_UP + SEQUENTIAL);
    let (rest_sequential, concurrent) = rest.split_at(WARM_UP + SEQUENTIAL);
    // Uploads alternate between a body with a length (the one-statement path) and the same
    // body chunked, as a streaming client sends it (parser thread and COPY), so that both paths
    // see the same conditions on a shared machine.
    let (mut whole, mut chunked) = (Vec::with_capacity(SEQUENTIAL), Vec::with_capacity(SEQUENTIAL));
    for (i, job) in sequential.iter().chain(rest_sequential).enumerate() {
        let url = format!("{}/result", job.api);
        let body = small_result(job.id, nodes).to_string();
        let request = if i % 2 == 0 {
            client.post(url).header("content-type", "application/json").body(body)
        } else {
            let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
            client
                .post(url)
                .header("content-type", "application/json")
                .body(reqwest::Body::wrap_stream(stream))
        };
        let ms = timed(request).await?;
        if i >= 2 * WARM_UP {
            if i % 2 == 0 { whole.push(ms) } else { chunked.push(ms) }
        }
    }
    let (p50, p99, rate) = summary(&whole);
    println!(
        "small_writes_result_upload_4_edges_sequential: p50 {p50:.2} ms, p99 {p99:.2} ms, {rate:.0} /s ({} on one keep-alive connection)",
        whole.len()
    );
    let (p50, p99, rate) = summary(&chunked);
    println!(
        "small_writes_result_upload_4_edges_sequential_chunked: p50 {p50:.2} ms, p99 {p99:.2} ms, {rate:.0} /s (streaming path, interleaved)"
    );

    let cpu_before = cpu_seconds(&bench.state.pool).await?;
    let started = Instant::now();
    let tasks: Vec<_> = concurrent
        .chunks(PER_CLIENT)
        .map(|chunk| {
            let (chunk, nodes) = (chunk.to_vec(), nodes.to_vec());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut latencies = vec![];
                for job in chunk {
                    let request =
                        client.post(format!("{}/result", job.api)).json(&small_result(job.id, &nodes));
                    latencies.push(timed(request).await?);
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let mut latencies = vec![];
    for task in tasks {
        latencies.extend(task.await??);
    }
    let rate = latencies.len() as f64 / started.elapsed().as_secs_f64();
    let cpu_after = cpu_seconds(&bench.state.pool).await?;
    let (p50, p99) = (percentile(latencies.clone(), 0.5), percentile(latencies, 0.99));
    let per_upload = |before: f64, after: f64| (after - before) * 1e6 / (CLIENTS * PER_CLIENT) as f64;
    println!(
        "small_writes_result_upload_4_edges_{CLIENTS}_clients: {rate:.0} /s, p50 {p50:.2} ms, p99 {p99:.2} ms ({} uploads); \
         CPU per upload: {:.0} µs server and clients, {:.0} µs PostgreSQL",
        CLIENTS * PER_CLIENT,
        per_upload(cpu_before.0, cpu_after.0),
        per_upload(cpu_before.1, cpu_after.1),
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM result").fetch_one(&bench.state.pool).await?;
    anyhow::ensure!(stored as usize == ids.len(), "stored {stored} results of {}", ids.len());
    Ok(())
}

async fn error_reports(bench: &Bench) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let mut latencies = vec![];
    for (i, job) in jobs(bench, WARM_UP + SEQUENTIAL, "running").await?.into_iter().enumerate() {
        let ms = timed(client.put(&job.api)).await?;
        if i >= WARM_UP {
            latencies.push(ms);
        }
    }
    let (p50, p99, rate) = summary(&latencies);
    println!("small_writes_error_report_sequential: p50 {p50:.2} ms, p99 {p99:.2} ms, {rate:.0} /s");
    Ok(())
}

async fn generated_dataset_uploads(bench: &Bench) -> anyhow::Result<()> {
    const UPLOADS: usize = 200;
    let tokens = tokens(WARM_UP + UPLOADS);
    let ids: Vec<i32> = sqlx::query_scalar(
        "INSERT INTO job (type, status, dataset_name, generator_type, parameters, upload_token_hash) \
         SELECT 'dataset_generation_job', 'running', 'generated_' || n, 'CAUSEWAY', '{}', \
                sha256(convert_to(t, 'UTF8')) \
         FROM unnest($1::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n RETURNING id",
    )
    .bind(&tokens)
    .fetch_all(&bench.state.pool)
    .await?;
    let csv: String = std::iter::once("a,b,c,d\n".to_owned())
        .chain((0..100).map(|i| format!("{i},{}.5,{},{}\n", i * 2, i % 3, i % 7)))
        .collect();
    let client = reqwest::Client::new();
    let mut latencies = vec![];
    for (i, job) in executor_jobs(bench, ids, tokens).into_iter().enumerate() {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(csv.clone().into_bytes()).file_name("data.csv"));
        let ms = timed(client.put(format!("{}/dataset_generation", job.api)).multipart(form)).await?;
        if i >= WARM_UP {
            latencies.push(ms);
        }
    }
    let (p50, p99, rate) = summary(&latencies);
    println!(
        "small_writes_generated_dataset_upload_100_rows_sequential: p50 {p50:.2} ms, p99 {p99:.2} ms, {rate:.0} /s"
    );
    Ok(())
}

pub async fn run() -> anyhow::Result<()> {
    let bench = Bench::start(|_| {}).await?;
    let (_, nodes) = job_with_nodes(&bench, "small_writes").await?;
    result_uploads(&bench, &nodes).await?;
    error_reports(&bench).await?;
    generated_dataset_uploads(&bench).await?;
    bench.finish().await
}

/// 3,000 events written to the outbox at 1,000/s (10 every 10 ms, as committed transactions
/// would) while a browser listens on `/ws`; latency from the outbox insert to the socket.
pub async fn websocket_fanout() -> anyhow::Result<(f64, f64, usize)> {
    const EVENTS: usize = 3_000;
    let bench = Bench::start(|_| {}).await?;
    causeway::app::spawn_event_tasks(&bench.state);
    let (mut socket, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/ws", &bench.base["http://".len()..])).await?;
    socket.next().await.ok_or_else(|| anyhow::anyhow!("no hello"))??;
    // The feed's consumer starts at new events: wait until a probe event comes through.
    let epoch = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        write_events(&bench.state.pool, epoch, 0, 1).await?;
        if let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(200), socket.next()).await {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "the websocket feed never started");
    }
    let pool = bench.state.pool.clone();
    let writer = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_millis(10));
        for batch in 0..EVENTS / 10 {
            ticks.tick().await;
            write_events(&pool, epoch, 1 + batch * 10, 10).await?;
        }
        anyhow::Ok(())
    });
    let mut latencies = vec![];
    let deadline = Instant::now() + Duration::from_secs(30);
    while latencies.len() < EVENTS && Instant::now() < deadline {
        let Ok(Some(message)) = tokio::time::timeout(Duration::from_secs(2), socket.next()).await else {
            break;
        };
        let text = message?.into_text()?;
        let event: Value = serde_json::from_str(&text)?;
        // Late probes (n = 0) are not part of the measured load.
        if let (Some(sent), Some(1..)) = (event["data"]["sent_ms"].as_f64(), event["data"]["n"].as_i64()) {
            latencies.push(epoch.elapsed().as_secs_f64() * 1000.0 - sent);
        }
    }
    writer.await??;
    let delivered = latencies.len();
    anyhow::ensure!(delivered > 0, "no event reached the socket");
    bench.finish().await?;
    Ok((percentile(latencies.clone(), 0.5), percentile(latencies, 0.99), delivered))
}

/// Writes events `from..from + count` to the outbox, stamped with the time since `epoch` (ms).
async fn write_events(pool: &sqlx::PgPool, epoch: Instant, from: usize, count: usize) -> sqlx::Result<()> {
    let sent = epoch.elapsed().as_secs_f64() * 1000.0;
    sqlx::query(
        "INSERT INTO outbox (subject, event_type, payload) \
         SELECT 'job.' || i || '.started', 'io.causeway.job.started', jsonb_build_object('n', i, 'sent_ms', $3::float8) \
         FROM generate_series($1, $2) AS i",
    )
    .bind(from as i64)
    .bind((from + count - 1) as i64)
    .bind(sent)
    .execute(pool)
    .await?;
    Ok(())
}
