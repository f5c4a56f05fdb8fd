//! The R executors (`executors/r`). pcalg and bnlearn cannot be installed here (no CRAN), so
//! the algorithm scripts are checked for syntax, and their shared contract code
//! (`mpci_utils.r`) runs end to end through the scheduler with a plain-R test fixture
//! (`executors/r/tests/correlation_skeleton.r`). `scripts/test` installs R from Debian.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    Scheduling, TestApp, expect_json, installed_tool, on_path, spawn_app_scheduling, spawn_app_with,
};

const R_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/executors/r");
const WITHIN: Duration = Duration::from_secs(120);

fn rscript() -> Option<String> {
    installed_tool(
        &on_path("Rscript"),
        "install R (Debian: r-base-core r-cran-optparse r-cran-httr r-cran-jsonlite)",
    )
}

#[test]
fn every_r_script_parses() {
    let Some(rscript) = rscript() else { return };
    let mut scripts: Vec<_> = ["", "/tests"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(format!("{R_DIR}{sub}")).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "r"))
        .collect();
    scripts.sort();
    let names: Vec<_> =
        scripts.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for expected in [
        "bnlearn_gs.r",
        "bnlearn_hc.r",
        "bnlearn_pc_stable.r",
        "bnlearn_rsmax2.r",
        "generator.r",
        "mpci_utils.r",
        "pcalg_pc.r",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} is missing from {names:?}");
    }
    for script in &scripts {
        let out = std::process::Command::new(&rscript)
            .arg("-e")
            .arg(format!("invisible(parse(file = '{}'))", script.display()))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: {}", script.display(), String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn the_r_contract_code_passes_its_unit_tests() {
    let Some(rscript) = rscript() else { return };
    let out =
        std::process::Command::new(&rscript).arg(format!("{R_DIR}/tests/test_utils.r")).output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("all checks passed"));
}

/// The fixture as a catalogue algorithm, run by the local launcher like any R script would be.
async fn fixture_experiment(app: &TestApp, dataset: &Value, threshold: f64) -> Value {
    let algorithm = app
        .catalogue_algorithm(json!({"package": "test", "function": "correlation_skeleton",
                "script_filename": "correlation_skeleton.r",
                "local_command": ["Rscript", "{executors}/r/tests/{script}"],
                "valid_parameters": {"threshold": {"type": "float", "required": true}}}))
        .await;
    app.create_experiment("R contract", &dataset["id"], &algorithm["id"], json!({"threshold": threshold}))
        .await
}

#[tokio::test]
async fn the_r_contract_code_downloads_learns_and_uploads_with_sepsets() {
    if rscript().is_none() {
        return;
    }
    let app = spawn_app_with(|config| config.load_separation_set = true).await;
    // y follows x; z is unrelated; flag is a boolean column (sent as True/False).
    app.sql(
        "CREATE TABLE r_contract AS SELECT g::float8 AS x, (2 * g + (g % 3))::float8 AS y, \
         ((g * 7919) % 101)::float8 AS z, (g % 2 = 0) AS flag FROM generate_series(1, 400) g",
    )
    .await;
    let dataset = app.dataset_query("r", "SELECT * FROM r_contract").await;
    let experiment = fixture_experiment(&app, &dataset, 0.9).await;
    let job = app.start(&experiment, json!({})).await;
    let done = app.finished_job(&job["id"], WITHIN).await;
    let log = app.log(&job["id"]).await;
    assert_eq!(done["status"], "done", "{done}\n{log}");
    assert!(log.contains("loaded dataset") && log.contains("data: 400 rows x 4 variables"), "{log}");

    let nodes: std::collections::HashMap<i64, String> =
        sqlx::query_as::<_, (i32, String)>("SELECT id, name FROM node")
            .fetch_all(&app.pool)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, name)| (i64::from(id), name))
            .collect();
    let result_id = &done["result"]["id"];
    let result = expect_json(app.get(&format!("/api/result/{result_id}")).await, StatusCode::OK).await;
    let mut edges: Vec<(String, String, f64)> = sqlx::query_as::<_, (i32, i32, Option<f64>)>(
        "SELECT from_node_id, to_node_id, weight FROM edge WHERE result_id = $1",
    )
    .bind(result_id.as_i64().unwrap() as i32)
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(a, b, w)| (nodes[&i64::from(a)].clone(), nodes[&i64::from(b)].clone(), w.unwrap()))
    .collect();
    edges.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(edges.len(), 2, "x - y in both directions: {edges:?}");
    assert_eq!((edges[0].0.as_str(), edges[0].1.as_str()), ("x", "y"));
    assert_eq!((edges[1].0.as_str(), edges[1].1.as_str()), ("y", "x"));
    assert!(edges[0].2 > 0.99 && edges[0].2 <= 1.0, "weight = |correlation| rounded: {edges:?}");
    // 4 variables, one adjacent pair: 5 separated pairs, both orders.
    assert_eq!(app.count("sepset").await, 10);
    let meta = &result["meta_results"];
    assert_eq!(meta["threshold"], 0.9);
    assert!(meta["api_host"].as_str().unwrap().ends_with("/t/***"), "{meta}");
}

#[tokio::test]
async fn a_failed_download_is_reported_by_the_r_contract_code() {
    if rscript().is_none() {
        return;
    }
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    app.sql("CREATE TABLE r_fragile (a int); INSERT INTO r_fragile VALUES (1), (2)").await;
    let dataset = app.dataset_query("r_fragile", "SELECT a, 1 / (a - 3) AS b FROM r_fragile").await;
    let experiment = fixture_experiment(&app, &dataset, 0.5).await;
    let job = app.start(&experiment, json!({})).await;
    app.sql("INSERT INTO r_fragile VALUES (3)").await;
    // The executor reports the failure itself (error code null; a crash would be -127). The
    // scheduler may stop the run right after that report, so its last lines are not awaited.
    let failed = app.failed_job(&job["id"], WITHIN).await;
    assert_eq!(failed["error_code"], Value::Null, "{failed}");
    let log = failed["log"].as_str().unwrap();
    assert!(log.contains("answered 400") && log.contains("division by zero"), "{log}");
    assert!(log.contains("/t/***"), "{log}");
    assert!(
        log.split("/t/").skip(1).all(|rest| rest.starts_with("***")),
        "no upload token in the log: {log}"
    );
    assert_eq!(app.count("result").await, 0);
}
