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
mod upload;

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures::StreamExt;
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
                    assert!(
                        status.is_server_error(),
                        "start answered {status}: {}",
                        response.text().await.unwrap()
                    );
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
async fn assert_nothing_lost(
    cluster: &Cluster,
    scenario: &str,
    feeder: tokio::task::JoinHandle<()>,
    since: Instant,
) {
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
    let both =
        ["scheduler", "scheduler-2"].map(|name| cluster.log(name).matches("\"local run started\"").count());
    println!("chaos: two schedulers at once: launches per scheduler {both:?}");
}

/// How long NATS stays down in [`chaos_nats_down_30_s_during_runs`].
const NATS_DOWN: Duration = Duration::from_secs(30);

/// The `job.<id>.succeeded` events a websocket client of the api receives.
async fn watch_websocket(cluster: &Cluster) -> Arc<Mutex<HashSet<i64>>> {
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let url = format!("ws://127.0.0.1:{}/ws", cluster.api_port);
    let into = seen.clone();
    let (connected, ready) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.expect("websocket");
        let _ = connected.send(());
        while let Some(Ok(message)) = socket.next().await {
            let Ok(text) = message.to_text() else { continue };
            let Ok(event) = serde_json::from_str::<Value>(text) else { continue };
            assert_ne!(event["resync"], true, "the websocket client fell behind: {event}");
            if event["entity"] == "job" && event["what"] == "succeeded" {
                into.lock().unwrap().insert(event["id"].as_i64().unwrap());
            }
        }
    });
    ready.await.unwrap();
    seen
}

/// The ids of the jobs whose `succeeded` event is in the JetStream stream.
async fn succeeded_in_stream(cluster: &Cluster) -> HashSet<i64> {
    use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, pull};
    let client = async_nats::connect(cluster.nats.url()).await.unwrap();
    let stream = async_nats::jetstream::new(client).get_stream("CHAOS_EVENTS").await.unwrap();
    let consumer = stream
        .create_consumer(pull::Config {
            filter_subject: "chaos.events.job.*.succeeded".into(),
            deliver_policy: DeliverPolicy::All,
            ack_policy: AckPolicy::None,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut ids = HashSet::new();
    loop {
        let mut batch =
            consumer.fetch().max_messages(1000).expires(Duration::from_secs(1)).messages().await.unwrap();
        let mut got = 0;
        while let Some(message) = batch.next().await {
            let message = message.unwrap();
            got += 1;
            let id = message.subject.as_str().split('.').nth(3).and_then(|id| id.parse().ok()).unwrap();
            ids.insert(id);
        }
        if got == 0 {
            return ids;
        }
    }
}

async fn job_ids(cluster: &Cluster) -> HashSet<i64> {
    let ids: Vec<i32> = sqlx::query_scalar("SELECT id FROM job").fetch_all(&cluster.pool).await.unwrap();
    ids.into_iter().map(i64::from).collect()
}

async fn unpublished_events(cluster: &Cluster) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        .fetch_one(&cluster.pool)
        .await
        .unwrap_or(-1)
}

#[tokio::test]
async fn chaos_nats_down_30_s_during_runs() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (mut cluster, experiment) = cluster_with(&["scheduler"]).await;
    let websocket = watch_websocket(&cluster).await;
    let since = Instant::now();
    let feeder = feed(&cluster, &experiment, runs());
    started(&cluster, runs() / 4).await;
    cluster.nats.kill();
    tokio::time::sleep(NATS_DOWN).await; // the outage itself: nothing to wait for
    cluster.nats.start();
    assert_nothing_lost(&cluster, "NATS down 30 s during runs", feeder, since).await;
    // The outbox drains; the stream and the websocket get every job's event.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while unpublished_events(&cluster).await != 0 {
        assert!(tokio::time::Instant::now() < deadline, "the outbox did not drain\n{}", cluster.logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let jobs = job_ids(&cluster).await;
    let in_stream = succeeded_in_stream(&cluster).await;
    assert_eq!(jobs.difference(&in_stream).count(), 0, "jobs whose event is not in the stream");
    while websocket.lock().unwrap().len() < jobs.len() {
        let missing = jobs.difference(&websocket.lock().unwrap()).count();
        assert!(
            tokio::time::Instant::now() < deadline,
            "the websocket client missed the events of {missing} jobs\n{}",
            cluster.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for role in ["api", "collector", "scheduler"] {
        assert!(cluster.running(role), "{role} did not survive the NATS outage\n{}", cluster.logs());
    }
    println!(
        "chaos: NATS down 30 s during runs: outbox drained, {} events in the stream and on the websocket",
        jobs.len()
    );
}

#[tokio::test]
async fn chaos_postgres_restart_during_runs() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (mut cluster, experiment) = cluster_with(&["scheduler"]).await;
    let since = Instant::now();
    let feeder = feed(&cluster, &experiment, runs());
    started(&cluster, runs() / 4).await;
    cluster.pg.restart_fast();
    assert_nothing_lost(&cluster, "PostgreSQL restart (pg_ctl restart -m fast) during runs", feeder, since)
        .await;
    for role in ["api", "collector", "scheduler"] {
        assert!(cluster.running(role), "{role} did not survive the restart\n{}", cluster.logs());
    }
}

#[tokio::test]
async fn chaos_postgres_crash_during_runs() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let (mut cluster, experiment) = cluster_with(&["scheduler"]).await;
    let since = Instant::now();
    let feeder = feed(&cluster, &experiment, runs());
    started(&cluster, runs() / 4).await;
    cluster.pg.crash_and_restart();
    assert_nothing_lost(
        &cluster,
        "PostgreSQL crash (stop -m immediate, WAL recovery) during runs",
        feeder,
        since,
    )
    .await;
    for role in ["api", "collector", "scheduler"] {
        assert!(cluster.running(role), "{role} did not survive the crash\n{}", cluster.logs());
    }
}
