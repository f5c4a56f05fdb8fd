//! Runs outlive the scheduler: the scheduler role runs as its own OS process (the built
//! `causeway` binary) and is killed or stopped mid-run; the next one adopts its runs.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};

use causeway::{
    launcher::{LaunchError, LaunchSpec, Launcher, RunObservation},
    lifecycle,
    scheduler::{Scheduler, claim, spec},
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    executor,
    helpers::{Scheduling, TestApp, eventually, expect_error, expect_json, spawn_app_scheduling},
};

/// `causeway scheduler` against this test's database, NATS prefix and work folder; its output
/// is appended to `<work dir>/scheduler.log`.
pub fn start_scheduler(app: &TestApp) -> Child {
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
        // Jobs a killed scheduler claimed but never launched come back after this.
        .env("CAUSEWAY_LAUNCH_TIMEOUT", "5s")
        .env("CAUSEWAY_FRONTEND_DIR", "/nonexistent")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("starting causeway scheduler")
}

pub fn scheduler_log(app: &TestApp) -> String {
    std::fs::read_to_string(Path::new(&app.state.config.work_dir).join("scheduler.log")).unwrap_or_default()
}

/// Sends `signal` to the process (a positive pid: never a group, never -1).
pub fn signal(child: &Child, signal: i32) {
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
pub fn run_pid(app: &TestApp, job_id: &Value) -> Option<i32> {
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
    assert!(scheduler_log(&app).contains("scheduler stopped: no more claims"), "{}", scheduler_log(&app));
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

/// The configured launcher, remembering the upload token of every launch (the database keeps
/// only its hash).
pub struct Recording {
    inner: Arc<dyn Launcher>,
    tokens: std::sync::Mutex<std::collections::HashMap<i32, String>>,
}

impl Recording {
    pub fn token(&self, job_id: &Value) -> String {
        let id = job_id.as_i64().unwrap() as i32;
        self.tokens.lock().unwrap().get(&id).cloned().unwrap_or_else(|| panic!("job {id} was not launched"))
    }
}

#[async_trait::async_trait]
impl Launcher for Recording {
    async fn launch(&self, spec: &LaunchSpec) -> Result<String, LaunchError> {
        let api_host = spec.args.iter().skip_while(|a| *a != "--api_host").nth(1).unwrap();
        let token = api_host.split_once("/t/").unwrap().1.to_owned();
        self.tokens.lock().unwrap().insert(spec.job_id, token);
        self.inner.launch(spec).await
    }
    async fn observe(&self) -> anyhow::Result<Vec<RunObservation>> {
        self.inner.observe().await
    }
    async fn stop(&self, job_id: i32) -> anyhow::Result<()> {
        self.inner.stop(job_id).await
    }
    async fn logs(&self, job_id: i32) -> anyhow::Result<Option<String>> {
        self.inner.logs(job_id).await
    }
    async fn cleanup(&self, job_id: i32) -> anyhow::Result<()> {
        self.inner.cleanup(job_id).await
    }
    async fn nodes(&self) -> anyhow::Result<Vec<String>> {
        self.inner.nodes().await
    }
}

/// A manual scheduler over a [`Recording`] launcher.
pub async fn recording_scheduler(app: &TestApp) -> (Arc<Scheduler>, Arc<Recording>) {
    let inner = causeway::launcher::from_config(&app.state.config).await.unwrap();
    let recording = Arc::new(Recording { inner, tokens: Default::default() });
    let scheduler = Scheduler::new(app.pool.clone(), recording.clone(), app.state.config.clone());
    (scheduler, recording)
}

async fn upload(app: &TestApp, job_id: &Value, token: Option<&str>) -> reqwest::Response {
    let nodes: Vec<i32> =
        sqlx::query_scalar("SELECT id FROM node ORDER BY id").fetch_all(&app.pool).await.unwrap();
    let body =
        json!({"edge_list": [{"from_node": nodes[0], "to_node": nodes[1]}], "meta_results": {"late": true}});
    let path = match token {
        Some(token) => format!("/t/{token}/api/job/{job_id}/result"),
        None => format!("/api/job/{job_id}/result"),
    };
    app.client.post(app.url(&path)).body(body.to_string()).send().await.unwrap()
}

async fn events_of(app: &TestApp, job_id: &Value, what: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE subject = $1")
        .bind(format!("job.{job_id}.{what}"))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_late_result_with_its_token_recovers_an_abandoned_job_and_other_late_uploads_get_409() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let (scheduler, launcher) = recording_scheduler(&app).await;
    let experiment = executor::experiment(&app, "sleep").await;
    let lost = app.start(&experiment, json!({"parallel": true})).await["id"].clone();
    let cancelled = app.start(&experiment, json!({"parallel": true})).await["id"].clone();
    scheduler.tick().await;
    // The run disappears behind the scheduler's back; the scheduler gives up on the job.
    launcher.inner.cleanup(lost.as_i64().unwrap() as i32).await.unwrap();
    scheduler.tick().await;
    let abandoned = app.job(&lost).await;
    assert_eq!((abandoned["status"].as_str(), abandoned["error_code"].as_i64()), (Some("error"), Some(-127)));
    assert_eq!(abandoned["log"], " -- EMPTY LOGS -- ", "MPCSL's marker");

    // Late, but not with its own token: refused.
    let message = expect_error(upload(&app, &lost, None).await, StatusCode::CONFLICT).await;
    assert!(message.as_str().unwrap().contains("is error"), "{message}");
    expect_error(upload(&app, &lost, Some(&launcher.token(&cancelled))).await, StatusCode::FORBIDDEN).await;
    // Late with its token: accepted, the job is done and says so.
    expect_json(upload(&app, &lost, Some(&launcher.token(&lost))).await, StatusCode::OK).await;
    let recovered = app.job(&lost).await;
    assert_eq!(recovered["status"], "done", "{recovered}");
    assert_eq!(recovered["error_code"], Value::Null);
    assert_eq!(recovered["result"]["meta_results"], json!({"late": true}));
    assert!(recovered["log"].as_str().unwrap().contains("Causeway recovered this job"), "{recovered}");
    assert_eq!(events_of(&app, &lost, "succeeded").await, 1);
    expect_error(upload(&app, &lost, Some(&launcher.token(&lost))).await, StatusCode::CONFLICT).await;

    // A job that ended otherwise (cancelled) refuses its own executor's late result.
    expect_json(app.delete(&format!("/api/job/{cancelled}")).await, StatusCode::OK).await;
    scheduler.tick().await;
    let message =
        expect_error(upload(&app, &cancelled, Some(&launcher.token(&cancelled))).await, StatusCode::CONFLICT)
            .await;
    assert!(message.as_str().unwrap().contains("is cancelled"), "{message}");
    assert_eq!(app.count("result").await, 1);
}

/// A retried job's old run that uploads late (with its attempt's token) gets 409 naming that
/// attempt, not 403; the current attempt's result is the one stored.
#[tokio::test]
async fn a_late_result_of_an_earlier_attempt_gets_409_and_the_current_attempt_owns_the_job() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let (scheduler, launcher) = recording_scheduler(&app).await;
    let experiment = executor::experiment(&app, "sleep").await;
    let job = app
        .start(&experiment, json!({"parallel": true, "max_retries": 1, "retry_backoff": 0.01}))
        .await["id"]
        .clone();
    scheduler.tick().await;
    let first = launcher.token(&job);
    // The run vanishes; the job is retried and runs again under a new token.
    launcher.inner.cleanup(job.as_i64().unwrap() as i32).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while launcher.token(&job) == first || app.job(&job).await["status"] != "running" {
        scheduler.tick().await;
        assert!(tokio::time::Instant::now() < deadline, "{}", app.job(&job).await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let message = expect_error(upload(&app, &job, Some(&first)).await, StatusCode::CONFLICT).await;
    let message = message.as_str().unwrap();
    assert!(message.contains("attempt 1") && message.contains("run vanished"), "{message}");
    assert_eq!(app.count("result").await, 0);
    expect_json(upload(&app, &job, Some(&launcher.token(&job))).await, StatusCode::OK).await;
    let done = app.job(&job).await;
    assert_eq!((done["status"].as_str(), done["attempt"].as_i64()), (Some("done"), Some(2)), "{done}");
    assert!(done["earlier_attempts"][0].get("token_hash").is_none(), "never shown: {done}");
    expect_error(upload(&app, &job, Some(&first)).await, StatusCode::CONFLICT).await;
    assert_eq!(app.count("result").await, 1);
    scheduler.tick().await;
}

#[tokio::test]
async fn a_claim_without_a_run_is_claimed_again_after_the_launch_timeout_and_an_unrecorded_run_is_adopted() {
    let app =
        spawn_app_scheduling(Scheduling::Manual, |c| c.launch_timeout = Duration::from_millis(500)).await;
    let scheduler = app.scheduler.clone().unwrap();
    let experiment = executor::experiment(&app, "slow").await;
    let launched = app.start(&experiment, json!({"parallel": true})).await["id"].clone();
    let never = app.start(&experiment, json!({"parallel": true})).await["id"].clone();
    let given_up = app.start(&experiment, json!({"parallel": true})).await["id"].clone();
    // A scheduler claims all three, starts one run and stops before recording it.
    let (claimed, hold) = claim::claim_batch(&app.pool, 10).await.unwrap();
    assert_eq!(claimed.len(), 3);
    let first = claimed.iter().find(|c| launched == c.job.id).unwrap();
    let host = app.state.config.executor_api_host();
    let mut specs = spec::experiment_launches(&app.pool, &[(first.job.id, first.upload_token)], &host, false)
        .await
        .unwrap();
    let launcher = causeway::launcher::from_config(&app.state.config).await.unwrap();
    launcher.launch(&specs.remove(&first.job.id).unwrap().unwrap()).await.unwrap();
    // The third has been claimed without a run too often already.
    app.sql(&format!(
        "UPDATE job SET attempt = {} WHERE id = {given_up}",
        lifecycle::NEVER_LAUNCHED_REQUEUES + 1
    ))
    .await;

    // The claimer is alive (its locks held) but stuck: past the launch timeout, its jobs are
    // taken back all the same.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while app.job(&never).await["attempt"] != 2 {
        scheduler.tick().await;
        assert!(tokio::time::Instant::now() < deadline, "{}", app.job(&never).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(hold);

    // The next scheduler adopts the run; the job without a run is claimed again (and runs),
    // the one out of requeues fails with a line in its log.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        scheduler.tick().await;
        let (adopted, requeued, failed) =
            (app.job(&launched).await, app.job(&never).await, app.job(&given_up).await);
        if adopted["status"] == "done" && requeued["status"] == "done" && failed["status"] == "error" {
            assert_eq!(adopted["container_id"], format!("local-{launched}"), "{adopted}");
            assert_eq!(adopted["attempt"], 1);
            assert_eq!(requeued["attempt"], 2, "{requeued}");
            assert!(
                requeued["earlier_attempts"][0]["reason"].as_str().unwrap().contains("no run was observed"),
                "{requeued}"
            );
            assert_eq!(failed["error_code"], -127);
            assert!(failed["log"].as_str().unwrap().contains("CAUSEWAY_LAUNCH_TIMEOUT"), "{failed}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{adopted}\n{requeued}\n{failed}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A scheduler that dies between claim and launch (its session, and with it its claimer locks,
/// gone) has its claims taken back at the next pass of a live scheduler, not after
/// `CAUSEWAY_LAUNCH_TIMEOUT`; a live claimer's are left alone until then.
#[tokio::test]
async fn the_claims_of_a_dead_scheduler_are_taken_back_at_once() {
    let app =
        spawn_app_scheduling(Scheduling::Manual, |c| c.launch_timeout = Duration::from_secs(3600)).await;
    let scheduler = app.scheduler.clone().unwrap();
    let experiment = executor::experiment(&app, "ok").await;
    let job = app.start(&experiment, json!({"parallel": true})).await["id"].clone();
    let (claimed, hold) = claim::claim_batch(&app.pool, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    // Alive: its claim stays, and another scheduler may not claim the job either.
    scheduler.monitor().await.unwrap();
    let running = app.job(&job).await;
    assert_eq!((running["status"].as_str(), running["attempt"].as_i64()), (Some("running"), Some(1)));
    // Dead: the claim comes back at once, and the job runs.
    drop(hold);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        scheduler.tick().await;
        let job = app.job(&job).await;
        if job["status"] == "done" {
            assert_eq!(job["attempt"], 2, "{job}");
            let reason = job["earlier_attempts"][0]["reason"].as_str().unwrap();
            assert!(reason.contains("stopped before launching"), "{job}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{job}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_executor_failure_is_not_retried_and_retry_options_are_checked() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let experiment = executor::experiment(&app, "crash").await;
    let path = format!("/api/experiment/{}/start", experiment["id"]);
    let message = expect_error(
        app.post_json(&path, &json!({"max_retries": 101, "retry_backoff": 0})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        message,
        json!({"max_retries": ["Must be between 0 and 100."],
               "retry_backoff": ["Must be more than 0 and at most 86400 seconds."]})
    );
    let created = app.start(&experiment, json!({"max_retries": 2, "retry_backoff": 0.1})).await;
    let failed = app.failed_job(&created["id"], Duration::from_secs(30)).await;
    assert_eq!(
        (failed["error_code"].as_i64(), failed["attempt"].as_i64()),
        (Some(-127), Some(1)),
        "{failed}"
    );
    assert_eq!(failed["earlier_attempts"], json!([]));
}

#[tokio::test]
async fn an_experiment_sets_its_jobs_retries_and_a_start_request_overrides_them() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let template = executor::experiment(&app, "ok").await;
    let body = |extra: Value| {
        let mut body = json!({"name": "retried", "dataset_id": template["dataset_id"],
                              "algorithm_id": template["algorithm_id"], "parameters": {"mode": "ok"}});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let message = expect_error(
        app.post_json("/api/experiments", &body(json!({"max_retries": -1}))).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(message, json!({"max_retries": ["Must be between 0 and 100."]}));
    assert_eq!((template["max_retries"].as_i64(), template["retry_backoff"].as_f64()), (Some(0), Some(10.0)));
    let experiment = expect_json(
        app.post_json("/api/experiments", &body(json!({"max_retries": 2, "retry_backoff": 1.5}))).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            experiment["max_retries"].as_i64(),
            experiment["retry_backoff"].as_f64(),
            experiment["retry_backoff_cap"].as_f64()
        ),
        (Some(2), Some(1.5), Some(600.0))
    );
    let inherited = app.start(&experiment, json!({})).await["id"].clone();
    let overridden =
        app.start(&experiment, json!({"max_retries": 0, "retry_backoff_cap": 5})).await["id"].clone();
    let budget = |id: Value| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (i32, f64, f64)>(
                "SELECT max_retries, retry_backoff, retry_backoff_cap FROM job WHERE id = $1",
            )
            .bind(id.as_i64().unwrap() as i32)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(budget(inherited).await, (2, 1.5, 600.0));
    assert_eq!(budget(overridden).await, (0, 1.5, 5.0));
}
