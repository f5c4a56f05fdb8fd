//! Chaos tests (issue 12): a whole installation of the test's own (PostgreSQL, NATS, and the
//! roles `api`, `collector`, `scheduler` as separate `causeway` processes, see [`cluster`]) runs
//! hundreds of short native-PC runs while a scenario kills or restarts one piece. Each scenario
//! prints `lost=… duplicated=… stuck=…` ([`counts`]), which must all be 0.
//!
//! Run alone with `cargo build --workspace && cargo test --test chaos -- --nocapture`
//! (`causeway-pc` must be built next to `causeway`). `CAUSEWAY_CHAOS_RUNS` sets the runs per
//! scenario (default [`RUNS`]).

mod cluster;
mod counts;


use std::time::{Duration, Instant};

use serde_json::Value;

use cluster::Cluster;
use counts::{Counts, counts, lost_jobs};

/// Runs per scenario: what 2 cores get through in well under a minute alongside the chaos.
const RUNS: usize = 200;

/// Runs are queued in waves, so that some are starting, running and uploading whenever the
/// chaos strikes.
const WAVE: usize = 20;
const WAVE_EVERY: Duration = Duration::from_millis(500);

/// The scenarios run one at a time: each starts a whole installation.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn runs() -> usize {
    std::env::var("CAUSEWAY_CHAOS_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(RUNS)
}

/// Queues `total` runs in waves, as a client would: a start refused while a piece is down is
/// sent again.
fn feed(cluster: &Cluster, experiment: &Value, total: usize) -> tokio::task::JoinHandle<()> {
    let http = cluster.http.clone();
    let url = cluster.api(&format!("/api/experiment/{}/start", experiment["id"]));
    tokio::spawn(async move {
        let mut queued = 0;
        while queued < total {
            let runs = WAVE.min(total - queued);
            let body = serde_json::json!({"runs": runs, "parallel": true});
            match http.post(&url).json(&body).send().await {
                Ok(response) if response.status().is_success() => queued += runs,
                Ok(response) => {
                    let status = response.status();
                    assert!(status.is_server_error(), "start answered {status}: {}", response.text().await.unwrap());
                }
                Err(_) => {} // the api process may be unreachable for a moment
            }
            tokio::time::sleep(WAVE_EVERY).await;
        }
    })
}

/// Waits until `n` jobs have been claimed (their `job.started` events committed).
async fn started(cluster: &Cluster, n: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let count: Result<i64, _> =
            sqlx::query_scalar("SELECT count(*) FROM outbox WHERE subject LIKE 'job.%.started'")
                .fetch_one(&cluster.pool)
                .await;
        if count.is_ok_and(|c| c as usize >= n) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{n} runs did not start\n{}", cluster.logs());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits for the feed and for every job to end, prints the counts and the throughput, and
/// asserts that nothing was lost, duplicated or stuck.
async fn assert_nothing_lost(cluster: &Cluster, scenario: &str, feeder: tokio::task::JoinHandle<()>, since: Instant) {
    feeder.await.unwrap();
    let counts = counts(&cluster.pool, Duration::from_secs(120)).await;
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM job").fetch_one(&cluster.pool).await.unwrap();
    let seconds = since.elapsed().as_secs_f64();
    println!(
        "chaos: {scenario}: {jobs} runs in {seconds:.1} s ({:.1} runs/s): {counts}",
        jobs as f64 / seconds
    );
    assert_eq!(jobs as usize, runs(), "every queued run is a job");
    assert_eq!(
        counts,
        Counts { lost: 0, duplicated: 0, stuck: 0 },
        "{}\n{}",
        lost_jobs(&cluster.pool).await,
        cluster.logs()
    );
}

/// A cluster with the schedulers named, and the experiment the runs are of.
async fn cluster_with(schedulers: &[&str]) -> (Cluster, Value) {
    let mut cluster = Cluster::start().await;
    for name in schedulers {
        cluster.start_scheduler(name);
    }
    let experiment = cluster.native_pc_experiment().await;
    (cluster, experiment)
}

#[tokio::test]
async fn chaos_scheduler_kill_9_mid_runs_and_restart() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (mut cluster, experiment) = cluster_with(&["scheduler"]).await;
    let since = Instant::now();
    let feeder = feed(&cluster, &experiment, runs());
    started(&cluster, runs() / 4).await;
    cluster.kill_and_restart("scheduler");
    assert_nothing_lost(&cluster, "scheduler kill -9 mid-runs and restart", feeder, since).await;
}

#[tokio::test]
async fn chaos_two_schedulers_at_once() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (cluster, experiment) = cluster_with(&["scheduler", "scheduler-2"]).await;
    let since = Instant::now();
    let feeder = feed(&cluster, &experiment, runs());
    assert_nothing_lost(&cluster, "two schedulers at once", feeder, since).await;
    let both = ["scheduler", "scheduler-2"].map(|name| cluster.log(name).matches("\"local run started\"").count());
    println!("chaos: two schedulers at once: launches per scheduler {both:?}");
}
