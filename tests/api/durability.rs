//! Runs outlive the scheduler: the scheduler role runs as its own OS process (the built
//! `causeway` binary) and is killed or stopped mid-run; the next one adopts its runs.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};

use crate::{
    executor,
    helpers::{Scheduling, TestApp, eventually, spawn_app_scheduling},
};

/// `causeway scheduler` against this test's database, NATS prefix and work folder; its output
/// is appended to `<work dir>/scheduler.log`.
fn start_scheduler(app: &TestApp) -> Child {
    let config = &app.state.config;
    let log_path = Path::new(&config.work_dir).join("scheduler.log");
    std::fs::create_dir_all(&config.work_dir).unwrap();
    let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path).unwrap();
    Command::new(env!("CARGO_BIN_EXE_causeway"))
        .arg("scheduler")
        .env("DATABASE_URL", config.database_url.expose())
        .env("NATS_URL", config.nats_url.expose())
        .env("CAUSEWAY_NATS_PREFIX", &config.nats_prefix)
        .env("CAUSEWAY_LISTEN", "127.0.0.1:0")
        .env("CAUSEWAY_API_HOST", config.executor_api_host())
        .env("CAUSEWAY_WORK_DIR", &config.work_dir)
        .env("CAUSEWAY_EXECUTORS_DIR", &config.executors_dir)
        .env("CAUSEWAY_BIN", env!("CARGO_BIN_EXE_causeway"))
        .env("CAUSEWAY_SCHEDULER_POLL", "200ms")
        .env("CAUSEWAY_FRONTEND_DIR", "/nonexistent")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("starting causeway scheduler")
}

fn scheduler_log(app: &TestApp) -> String {
    std::fs::read_to_string(Path::new(&app.state.config.work_dir).join("scheduler.log")).unwrap_or_default()
}

/// Sends `signal` to the process (a positive pid: never a group, never -1).
fn signal(child: &Child, signal: i32) {
    let pid = i32::try_from(child.id()).unwrap();
    assert!(pid > 1);
    // SAFETY: kill only sends a signal.
    unsafe {
        libc::kill(pid, signal);
    }
}

fn run_folder(app: &TestApp, job_id: &Value) -> PathBuf {
    Path::new(&app.state.config.work_dir).join(format!("job-{job_id}"))
}

/// The pid the supervisor of a job's run recorded.
fn run_pid(app: &TestApp, job_id: &Value) -> Option<i32> {
    let text = std::fs::read(run_folder(app, job_id).join("run.json")).ok()?;
    let record: Value = serde_json::from_slice(&text).ok()?;
    record["pid"].as_i64().map(|pid| pid as i32)
}

fn alive(pid: i32) -> bool {
    causeway::launcher::run_dir::process_start(pid).is_some()
}

/// Starts `runs` slow jobs and waits until every one is running with a recorded run.
async fn slow_runs(app: &TestApp, runs: usize) -> Vec<Value> {
    let experiment = executor::experiment(app, "slow").await;
    app.start(&experiment, json!({"runs": runs, "parallel": true})).await;
    let jobs: Vec<i32> =
        sqlx::query_scalar("SELECT id FROM job ORDER BY id").fetch_all(&app.pool).await.unwrap();
    let ids: Vec<Value> = jobs.into_iter().map(Value::from).collect();
    assert_eq!(ids.len(), runs);
    eventually("every run to be recorded", || async { ids.iter().all(|id| run_pid(app, id).is_some()) })
        .await;
    ids
}

/// Every job ends done with its result, and its saved log is the executor's whole output.
async fn all_done_with_logs(app: &TestApp, ids: &[Value]) {
    for id in ids {
        let job = app.finished_job(id, Duration::from_secs(60)).await;
        assert_eq!(job["status"], "done", "{job}\nscheduler log:\n{}", scheduler_log(app));
        assert_eq!(job["result"]["meta_results"], json!({"mode": "slow"}), "{job}");
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    for id in ids {
        loop {
            let job = app.job(id).await;
            if job["log"].as_str().is_some_and(|log| log.contains("uploaded 200")) {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the log of job {id} was not saved: {job}\nscheduler log:\n{}",
                scheduler_log(app)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        eventually("the run folder to be cleaned up", || async { !run_folder(app, id).exists() }).await;
    }
}

#[tokio::test]
async fn runs_outlive_a_killed_scheduler_and_the_next_one_adopts_them() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let mut first = start_scheduler(&app);
    let ids = slow_runs(&app, 6).await;
    signal(&first, libc::SIGKILL);
    first.wait().unwrap();
    for id in &ids {
        assert!(alive(run_pid(&app, id).unwrap()), "run of job {id} died with the scheduler");
        assert_eq!(app.job(id).await["status"], "running");
    }
    let mut second = start_scheduler(&app);
    all_done_with_logs(&app, &ids).await;
    assert!(!scheduler_log(&app).contains("run vanished"), "{}", scheduler_log(&app));
    signal(&second, libc::SIGTERM);
    second.wait().unwrap();
}

#[tokio::test]
async fn sigterm_ends_the_scheduler_within_seconds_and_its_runs_finish_without_it() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let mut first = start_scheduler(&app);
    let ids = slow_runs(&app, 3).await;
    signal(&first, libc::SIGTERM);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while first.try_wait().unwrap().is_none() {
        assert!(std::time::Instant::now() < deadline, "the scheduler ignored SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for id in &ids {
        assert!(alive(run_pid(&app, id).unwrap()), "run of job {id} died with the scheduler");
    }
    // The runs end while no scheduler runs: their results arrive, their exit status is kept.
    for id in &ids {
        assert_eq!(app.finished_job(id, Duration::from_secs(30)).await["status"], "done");
    }
    eventually("every run to record its exit", || async {
        ids.iter().all(|id| run_folder(&app, id).join("exit").exists())
    })
    .await;
    // The next scheduler reads what happened and saves the logs.
    let mut second = start_scheduler(&app);
    all_done_with_logs(&app, &ids).await;
    assert!(scheduler_log(&app).contains("adopting them"), "{}", scheduler_log(&app));
    signal(&second, libc::SIGTERM);
    second.wait().unwrap();
}
