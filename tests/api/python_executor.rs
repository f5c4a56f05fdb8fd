//! The Python executors (`executors/python`, causal-learn) run by the local launcher end to end,
//! from the virtual environment `scripts/python-env` creates (or `CAUSEWAY_PYTHON`).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    Scheduling, TestApp, earthquake_truth, expect_json, installed_tool, spawn_app_scheduling, spawn_app_with,
};

/// Python runs (interpreter start, imports) take a few seconds each; two cores share them.
const WITHIN: Duration = Duration::from_secs(180);

/// The executors' Python (`None`: skipped outside CI, see `installed_tool`).
fn python() -> Option<String> {
    let python = std::env::var("CAUSEWAY_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/executors/python/.venv/bin/python").into());
    installed_tool(
        std::path::Path::new(&python),
        "create the Python executors' environment with `scripts/python-env` (or set CAUSEWAY_PYTHON)",
    )
}

async fn app_with_python(python: String) -> TestApp {
    spawn_app_with(|config| config.python = Some(python)).await
}

async fn catalogue_entry(app: &TestApp, function: &str) -> Value {
    let algorithms = expect_json(app.get("/api/algorithms").await, StatusCode::OK).await;
    algorithms
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["package"] == "causal-learn" && a["function"] == function)
        .unwrap_or_else(|| panic!("no causal-learn/{function} in the catalogue"))
        .clone()
}

/// Runs causal-learn's `function` with `parameters` on the seeded Earthquake data and returns
/// the finished job.
async fn run_on_earthquake(app: &TestApp, function: &str, parameters: Value) -> Value {
    let algorithm = catalogue_entry(app, function).await;
    let dataset = &expect_json(app.get("/api/datasets").await, StatusCode::OK).await[0];
    let name = format!("causal-learn {function}");
    let experiment = app.create_experiment(&name, &dataset["id"], &algorithm["id"], parameters).await;
    let job = app.start(&experiment, json!({})).await;
    app.finished_job(&job["id"], WITHIN).await
}

#[tokio::test]
async fn causal_learn_pc_learns_the_earthquake_network_from_the_seeded_experiment() {
    let Some(python) = python() else { return };
    let app = app_with_python(python).await;
    app.seed().await;
    let experiment = app.seeded_experiment("Earthquake experiment (causal-learn PC)").await;
    let job = app.start(&experiment, json!({})).await;
    let done = app.finished_job(&job["id"], WITHIN).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(app.true_positive_names(&done["result"]["id"]).await, earthquake_truth());

    let result =
        expect_json(app.get(&format!("/api/result/{}", done["result"]["id"])).await, StatusCode::OK).await;
    let meta = &result["meta_results"];
    assert_eq!(
        (meta["executor"].as_str(), meta["algorithm"].as_str()),
        (Some("causal-learn"), Some("pc-stable"))
    );
    assert_eq!(meta["n_samples"], 10_000);
    assert!(meta["api_host"].as_str().unwrap().ends_with("/t/***"), "the upload token is not stored: {meta}");
    let log = app.log(&job["id"]).await;
    assert!(log.contains("uploaded result of job"), "{log}");
}

#[tokio::test]
async fn causal_learn_fci_and_ges_find_the_earthquake_edges_too() {
    let Some(python) = python() else { return };
    let app = app_with_python(python).await;
    app.seed().await;
    // FCI's PAG is Burglary o-> Alarm <-o Earthquake, Alarm --> JohnCalls, Alarm --> MaryCalls:
    // every edge has an arrowhead, so all four are directed.
    let fci = run_on_earthquake(&app, "fci", json!({"alpha": 0.01, "independence_test": "gsq"})).await;
    assert_eq!(fci["status"], "done", "{fci}");
    assert_eq!(app.true_positive_names(&fci["result"]["id"]).await, earthquake_truth());
    let result =
        expect_json(app.get(&format!("/api/result/{}", fci["result"]["id"])).await, StatusCode::OK).await;
    assert_eq!(result["meta_results"]["pag_edges"].as_array().map(Vec::len), Some(4), "{result}");

    let ges = run_on_earthquake(&app, "ges", json!({"score": "local_score_BDeu"})).await;
    assert_eq!(ges["status"], "done", "{ges}");
    assert_eq!(app.true_positive_names(&ges["result"]["id"]).await, earthquake_truth());
}

#[tokio::test]
async fn a_dataset_that_cannot_be_loaded_is_reported_by_the_executor() {
    let Some(python) = python() else { return };
    let app = spawn_app_scheduling(Scheduling::Manual, |config| config.python = Some(python)).await;
    app.seed().await;
    app.sql("CREATE TABLE fragile (a int); INSERT INTO fragile VALUES (1), (2)").await;
    let dataset = app.dataset_query("fragile", "SELECT a, 1 / (a - 3) AS b FROM fragile").await;
    let algorithm = catalogue_entry(&app, "pc").await;
    let experiment = app
        .create_experiment(
            "doomed",
            &dataset["id"],
            &algorithm["id"],
            json!({"alpha": 0.05, "independence_test": "fisherz"}),
        )
        .await;
    let job = app.start(&experiment, json!({})).await;
    // After the start was accepted, a new row makes every download fail (division by zero).
    app.sql("INSERT INTO fragile VALUES (3)").await;
    // The executor reports the failure itself (error code null; a crash would be -127). The
    // scheduler may stop the run right after that report, so its last lines are not awaited.
    let failed = app.failed_job(&job["id"], WITHIN).await;
    assert_eq!(failed["error_code"], Value::Null, "{failed}");
    let log = failed["log"].as_str().unwrap();
    assert!(log.contains("answered 400") && log.contains("division by zero"), "{log}");
    assert_eq!(app.count("result").await, 0);
}

#[tokio::test]
async fn without_the_virtual_environment_the_job_fails_with_the_way_to_create_it() {
    let app = spawn_app_with(|config| config.python = Some("/nonexistent/venv/bin/python".into())).await;
    app.seed().await;
    let experiment = app.seeded_experiment("Earthquake experiment (causal-learn PC)").await;
    let job = app.start(&experiment, json!({})).await;
    let failed = app.finished_job(&job["id"], Duration::from_secs(30)).await;
    assert_eq!(failed["status"], "error", "{failed}");
    let log = app.log(&job["id"]).await;
    assert!(log.contains("scripts/python-env"), "{log}");
}

#[tokio::test]
async fn the_python_executors_own_tests_pass() {
    let Some(python) = python() else { return };
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/executors/python");
    let out = std::process::Command::new(&python)
        .args(["-m", "unittest", "discover", "-s", "tests", "-t", "."])
        .current_dir(dir)
        .env("CAUSEWAY_RETRY_BACKOFF", "0")
        .output()
        .expect("running the Python tests");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// MPCSL's own executor helpers (download with `X-Content-Length`, upload without a
/// Content-Type), written from the contract in `mpcsl_helpers.py`, run against Causeway.
#[tokio::test]
async fn mpcsls_executor_helpers_download_and_upload_unchanged() {
    let Some(python) = python() else { return };
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let dataset = app
        .dataset_over("mpcsl_obs", "a int, b float8, c int", "(1, 0.5, 3), (4, 1.5, 6), (7, 2.5, 9)")
        .await;
    let algorithm = expect_json(
        app.post_json(
            "/api/algorithms",
            &json!({"package": "mpcsl", "function": "chain", "valid_parameters": {}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let experiment =
        app.create_experiment("mpcsl helpers", &dataset["id"], &algorithm["id"], json!({})).await;
    let job = app.start(&experiment, json!({})).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/mpcsl_helpers.py");
    let host = &app.base["http://".len()..];
    let (job_id, dataset_id) = (job["id"].to_string(), dataset["id"].to_string());
    let out = tokio::process::Command::new(&python)
        .args([script, "-j", &job_id, "-d", &dataset_id, "--api_host", host, "--send_sepsets", "0"])
        .output()
        .await
        .expect("running MPCSL's helpers");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // The download is streamed, so its size is not known up front: MPCSL's value, 0.
    assert!(stdout.contains("X-Content-Length 0\n"), "{stdout}");
    assert!(stdout.contains("3 rows, 3 columns"), "{stdout}");

    let done = app.job(&job["id"]).await;
    assert_eq!(done["status"], "done", "{done}");
    let result =
        expect_json(app.get(&format!("/api/result/{}", done["result"]["id"])).await, StatusCode::OK).await;
    assert_eq!(result["edges"].as_array().map(Vec::len), Some(2), "{result}");
    assert_eq!(result["meta_results"]["rows"], 3);
    assert!(result["dataset_loading_time"].as_f64().is_some_and(|t| t > 0.0), "{result}");
}
