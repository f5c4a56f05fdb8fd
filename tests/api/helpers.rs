//! `spawn_app`: a migrated database of its own and a server on a free port, started exactly as
//! `causeway api` starts it.

use std::future::Future;

use std::sync::Arc;

use causeway::{app::App, config::Config, db, scheduler::Scheduler, state::AppState};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use sqlx::{Connection, PgConnection, PgPool};

/// Server-level Postgres URL; tests create and drop their own databases there.
pub fn admin_url() -> String {
    std::env::var("CAUSEWAY_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn database_url(name: &str) -> String {
    let admin = admin_url();
    let (server, _) = admin.rsplit_once('/').expect("admin URL names a database");
    format!("{server}/{name}")
}

/// Where the tests' own tables go and are found: the query role's schema first.
const DATA_PATH: &str = "causeway_data, public";

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub pool: PgPool,
    pub state: causeway::state::SharedState,
    /// The scheduler, when the test drives it by hand (`Scheduling::Manual`).
    pub scheduler: Option<Arc<Scheduler>>,
    database: String,
}

/// How the test's scheduler runs.
#[derive(Clone, Copy, PartialEq)]
pub enum Scheduling {
    /// The real loop, woken by events, as in `causeway up`.
    Running,
    /// Not running; the test calls `tick()` (a scheduler that is down between ticks).
    Manual,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_scheduling(Scheduling::Running, configure).await
}

/// A unique NATS prefix per test, so events of parallel tests never mix.
pub fn unique_prefix() -> String {
    format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

pub async fn spawn_app_scheduling(scheduling: Scheduling, configure: impl FnOnce(&mut Config)) -> TestApp {
    let database = format!("causeway_test_{}", uuid::Uuid::new_v4().simple());
    let url = database_url(&database);
    db::ensure_database(&url).await.expect("creating the test database");
    let mut config = Config::for_database(&url);
    config.nats_prefix = unique_prefix();
    config.causeway_bin = Some(env!("CARGO_BIN_EXE_causeway").to_owned());
    config.executors_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/executors").to_owned();
    config.work_dir =
        std::env::temp_dir().join(format!("causeway-test-{database}")).to_string_lossy().into_owned();
    configure(&mut config);
    let state = AppState::connect(config).await.expect("connecting");
    db::migrate(&state.db).await.expect("migrating");
    causeway::datasets::query_role::prepare(&state.pool, &state.config)
        .await
        .expect("preparing the query role");
    let app = App::bind(state.clone()).await.expect("binding");
    let base = format!("http://{}", app.address());
    // Executors reach this test's server.
    let mut config = state.config.clone();
    config.api_host = Some(app.address().to_string());
    let state = AppState::with_config(&state, config);
    let app = App::from_parts(app, state.clone());
    tokio::spawn(app.run_until(std::future::pending()));
    causeway::app::spawn_event_tasks(&state);
    let scheduler = match scheduling {
        Scheduling::Running => {
            causeway::app::spawn_scheduler(&state).await.expect("starting the scheduler");
            None
        }
        Scheduling::Manual => {
            let launcher = causeway::launcher::from_config(&state.config).await.expect("launcher");
            Some(Scheduler::new(state.pool.clone(), launcher, state.config.clone()))
        }
    };
    // With authentication on, the helpers act as an admin; tests of roles make their own clients.
    let client = match state.auth.mode().is_open() {
        true => Client::new(),
        false => {
            let (_, secret) = causeway::auth::tokens::create(
                &state.pool,
                "test-admin",
                causeway::auth::Role::Admin,
                None,
                "test",
            )
            .await
            .expect("admin token");
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {secret}").parse().unwrap());
            Client::builder().default_headers(headers).build().expect("client")
        }
    };
    TestApp { base, client, pool: state.pool.clone(), state, scheduler, database }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).json(body).send().await.expect("POST")
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.client.put(self.url(path)).json(body).send().await.expect("PUT")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.client.delete(self.url(path)).send().await.expect("DELETE")
    }

    /// `POST /api/experiment/{id}/start`; the created job.
    pub async fn start(&self, experiment: &Value, body: Value) -> Value {
        let path = format!("/api/experiment/{}/start", experiment["id"]);
        expect_json(self.post_json(&path, &body).await, StatusCode::OK).await
    }

    /// `GET /api/job/{id}`.
    pub async fn job(&self, id: &Value) -> Value {
        expect_json(self.get(&format!("/api/job/{id}")).await, StatusCode::OK).await
    }

    /// Loads one catalogue entry the way an operator does (`causeway catalogue load`; the API
    /// refuses local commands) and returns the algorithm as the API shows it.
    pub async fn catalogue_algorithm(&self, entry: Value) -> Value {
        let catalogue = serde_json::json!({"version": 1, "algorithms": [entry.clone()]});
        causeway::seed::load_catalogue(&self.state.db, &catalogue.to_string())
            .await
            .expect("loading the entry");
        let all = expect_json(self.get("/api/algorithms").await, StatusCode::OK).await;
        all.as_array()
            .and_then(|all| {
                all.iter()
                    .find(|a| a["package"] == entry["package"] && a["function"] == entry["function"])
                    .cloned()
            })
            .expect("the loaded algorithm is listed")
    }

    pub async fn seed(&self) {
        causeway::seed::run(&self.state.db, &self.pool, self.state.config.launcher).await.expect("seeding");
    }

    /// Runs SQL in this test's database. Unqualified tables are created in `causeway_data`, the
    /// schema dataset queries read (they run as the query role, which cannot read `public`).
    pub async fn sql(&self, statement: &str) {
        let statement = format!("SET LOCAL search_path TO {DATA_PATH}; {statement}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement)).execute(&self.pool).await.expect("test SQL");
    }

    /// Rows of a table of Causeway's (`public`) or of the test's data (`causeway_data`).
    pub async fn count(&self, table: &str) -> i64 {
        let mut tx = self.pool.begin().await.expect("begin");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET LOCAL search_path TO {DATA_PATH}")))
            .execute(&mut *tx)
            .await
            .expect("search path");
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
            .fetch_one(&mut *tx)
            .await
            .expect("count")
    }

    /// `POST /api/experiments`; the created experiment.
    pub async fn create_experiment(
        &self,
        name: &str,
        dataset_id: &Value,
        algorithm_id: &Value,
        parameters: Value,
    ) -> Value {
        let body = serde_json::json!({"name": name, "dataset_id": dataset_id, "algorithm_id": algorithm_id,
                                      "parameters": parameters});
        expect_json(self.post_json("/api/experiments", &body).await, StatusCode::OK).await
    }

    /// `POST /api/datasets` with a load query; the created dataset.
    pub async fn dataset_query(&self, name: &str, query: &str) -> Value {
        let response =
            self.post_json("/api/datasets", &serde_json::json!({"name": name, "load_query": query})).await;
        expect_json(response, StatusCode::OK).await
    }

    /// A dataset over a fresh table `name` with the given columns SQL and rows.
    pub async fn dataset_over(&self, table: &str, definition: &str, rows: &str) -> Value {
        self.sql(&format!("CREATE TABLE {table} ({definition}); INSERT INTO {table} VALUES {rows};")).await;
        let response = self
            .post_json(
                "/api/datasets",
                &serde_json::json!({"name": table, "load_query": format!("SELECT * FROM {table}")}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "creating dataset over {table}");
        response.json().await.expect("dataset JSON")
    }
}

/// Running jobs, results and comparisons.
impl TestApp {
    /// Waits until the job is `done` or `error` and returns it.
    pub async fn finished_job(&self, id: &Value, within: std::time::Duration) -> Value {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let job = self.job(id).await;
            if job["status"] == "done" || job["status"] == "error" {
                return job;
            }
            assert!(tokio::time::Instant::now() < deadline, "job {id} did not finish: {job}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// The true positives of `GET /api/result/{id}/gtcompare` as sorted (from, to) node names.
    pub async fn true_positive_names(&self, result_id: &Value) -> Vec<(String, String)> {
        let comparison =
            expect_json(self.get(&format!("/api/result/{result_id}/gtcompare")).await, StatusCode::OK).await;
        let names: std::collections::HashMap<i64, String> =
            sqlx::query_as::<_, (i32, String)>("SELECT id, name FROM node")
                .fetch_all(&self.pool)
                .await
                .expect("nodes")
                .into_iter()
                .map(|(id, name)| (i64::from(id), name))
                .collect();
        let mut found: Vec<(String, String)> = comparison["error_types"]["true_positives"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("no true positives in {comparison}"))
            .iter()
            .map(|e| (names[&e[0].as_i64().unwrap()].clone(), names[&e[1].as_i64().unwrap()].clone()))
            .collect();
        found.sort();
        found
    }

    /// `GET /api/job/{id}/logs`: the run's output.
    pub async fn log(&self, id: &Value) -> String {
        let response = self.get(&format!("/api/job/{id}/logs")).await;
        assert_eq!(response.status(), StatusCode::OK, "logs of job {id}");
        response.text().await.expect("log text")
    }

    /// Ticks this test's manual scheduler until the job is `error` and its run's log is saved;
    /// the job (with `log`). An executor's failure report (`PUT /api/job/{id}`) leaves
    /// `error_code` null; a crashed run gets -127.
    pub async fn failed_job(&self, id: &Value, within: std::time::Duration) -> Value {
        let scheduler = self.scheduler.clone().expect("a manual scheduler (Scheduling::Manual)");
        let deadline = tokio::time::Instant::now() + within;
        loop {
            scheduler.tick().await;
            let job = self.job(id).await;
            if job["status"] == "error" && job["log"].is_string() {
                return job;
            }
            assert!(tokio::time::Instant::now() < deadline, "job {id} did not fail in time: {job}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// The seeded experiment called `name`.
    pub async fn seeded_experiment(&self, name: &str) -> Value {
        let experiments = expect_json(self.get("/api/experiments").await, StatusCode::OK).await;
        experiments
            .as_array()
            .expect("experiment list")
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no seeded experiment {name:?}"))
            .clone()
    }
}

/// The Earthquake network's edges, as the seed stores its ground truth.
pub fn earthquake_truth() -> Vec<(String, String)> {
    [("Alarm", "JohnCalls"), ("Alarm", "MaryCalls"), ("Burglary", "Alarm"), ("Earthquake", "Alarm")]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .to_vec()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let database = self.database.clone();
        let stream = self.state.config.events_stream();
        let nats_url = self.state.config.nats_url.clone();
        let _ = std::fs::remove_dir_all(&self.state.config.work_dir);
        // Best effort: the test runtime is gone, so use a short-lived one on another thread.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                if let Ok(client) = async_nats::connect(nats_url.as_str()).await {
                    let _ = async_nats::jetstream::new(client).delete_stream(&stream).await;
                }
                let mut conn = PgConnection::connect(&admin_url()).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")))
                    .execute(&mut conn)
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// A tool some tests need that `scripts/test` installs (R, the Python executors' environment):
/// its path, or `None` with a note when it is missing on a developer's machine. Under
/// `scripts/test` (`CAUSEWAY_REQUIRE_TOOLS` set) a missing tool fails the test instead.
pub fn installed_tool(path: &std::path::Path, how: &str) -> Option<String> {
    if path.is_file() {
        return Some(path.to_string_lossy().into_owned());
    }
    let message = format!("{} is missing: {how}", path.display());
    assert!(std::env::var_os("CAUSEWAY_REQUIRE_TOOLS").is_none(), "{message}");
    eprintln!("note: skipping, {message}");
    None
}

/// A program on `PATH`, if there is one.
pub fn on_path(program: &str) -> std::path::PathBuf {
    let paths = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&paths)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| std::path::PathBuf::from(program))
}

/// Asserts the status and returns the JSON body.
pub async fn expect_json(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("body is not JSON ({err}): {text}"))
}

/// Asserts a JSON error with a `message` and returns the message.
pub async fn expect_error(response: Response, status: StatusCode) -> Value {
    let body = expect_json(response, status).await;
    body.get("message").cloned().unwrap_or_else(|| panic!("no message in {body}"))
}

/// Waits for a condition with a deadline instead of sleeping a fixed time.
#[allow(dead_code)]
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
