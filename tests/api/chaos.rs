//! Chaos checks with many short runs and the scheduler as separate OS processes: each prints
//! its lost / duplicated / stuck counts, which must all be 0.
//!
//! - lost: a job that did not end `done` with its result;
//! - duplicated: a job given a result more than once, or launched (`job.started`) more often
//!   than it had attempts;
//! - stuck: a job still `waiting` or `running` at the deadline.

use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    durability::{run_pid, scheduler_log, signal, start_scheduler},
    executor,
    helpers::{Scheduling, TestApp, eventually, spawn_app_scheduling},
};

/// Enough to overlap claims, launches and the kill; more overloads the test's own API server on
/// a small machine (its executors then fail for reasons that are not the scheduler's).
const RUNS: usize = 60;

/// The chaos tests run one at a time: each starts many processes.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[derive(Debug, PartialEq)]
struct Counts {
    lost: usize,
    duplicated: usize,
    stuck: usize,
}

/// Waits (up to `within`) until no job is waiting or running, then counts.
async fn counts(app: &TestApp, within: Duration) -> Counts {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let open = app.count("job WHERE status IN ('waiting', 'running')").await;
        if open == 0 || tokio::time::Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let count = |sql: &'static str| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() as usize }
    };
    Counts {
        lost: count(
            "SELECT count(*) FROM job j WHERE j.status NOT IN ('waiting', 'running') \
             AND (j.status <> 'done' OR NOT EXISTS (SELECT 1 FROM result r WHERE r.job_id = j.id))",
        )
        .await,
        duplicated: count(
            "SELECT count(*) FROM job j WHERE \
             (SELECT count(*) FROM result r WHERE r.job_id = j.id) > 1 OR \
             (SELECT count(*) FROM outbox o WHERE o.subject = 'job.' || j.id || '.started') > j.attempt",
        )
        .await,
        stuck: count("SELECT count(*) FROM job WHERE status IN ('waiting', 'running')").await,
    }
}

/// The jobs behind a non-zero count, for the failure message.
async fn lost_jobs(app: &TestApp) -> String {
    type Row = (i32, String, Option<String>, i32, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, status::text, error_code::text, attempt, right(log, 400) FROM job j \
         WHERE status <> 'done' OR NOT EXISTS (SELECT 1 FROM result r WHERE r.job_id = j.id)",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    format!("{rows:#?}")
}

async fn start_runs(app: &TestApp) -> Vec<Value> {
    let experiment = executor::experiment(app, "brief").await;
    app.start(&experiment, json!({"runs": RUNS, "parallel": true})).await;
    let ids: Vec<i32> =
        sqlx::query_scalar("SELECT id FROM job ORDER BY id").fetch_all(&app.pool).await.unwrap();
    ids.into_iter().map(Value::from).collect()
}

#[tokio::test]
async fn chaos_scheduler_kill_9_mid_runs_loses_nothing() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let ids = start_runs(&app).await;
    let mut first = start_scheduler(&app);
    // Kill it while runs are alive: once a quarter of them have started.
    eventually("runs to start", || async {
        ids.iter().filter(|id| run_pid(&app, id).is_some()).count() >= RUNS / 4
    })
    .await;
    signal(&first, libc::SIGKILL);
    first.wait().unwrap();
    let mut second = start_scheduler(&app);
    assert_nothing_lost(&app, "scheduler kill -9 mid-runs").await;
    signal(&second, libc::SIGTERM);
    second.wait().unwrap();
}

/// Waits for every run to end, prints the counts, and asserts that none is lost, duplicated or
/// stuck.
async fn assert_nothing_lost(app: &TestApp, scenario: &str) {
    let counts = counts(app, Duration::from_secs(120)).await;
    println!("chaos: {scenario}, {RUNS} runs: {counts:?}");
    assert_eq!(
        counts,
        Counts { lost: 0, duplicated: 0, stuck: 0 },
        "{}\n{}",
        lost_jobs(app).await,
        scheduler_log(app)
    );
}

#[tokio::test]
async fn chaos_two_schedulers_at_once_launch_each_job_once() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let (mut first, mut second) = (start_scheduler(&app), start_scheduler(&app));
    start_runs(&app).await;
    assert_nothing_lost(&app, "two schedulers at once").await;
    signal(&first, libc::SIGTERM);
    signal(&second, libc::SIGTERM);
    first.wait().unwrap();
    second.wait().unwrap();
}
