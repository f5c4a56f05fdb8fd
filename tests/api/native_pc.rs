//! The native Rust PC (`executors/pc`, binary `causeway-pc`) run by the scheduler end to end.
//! `cargo test --workspace` builds `causeway-pc` next to `causeway`, where the local launcher
//! finds it.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{earthquake_truth, eventually, expect_json, spawn_app};

#[tokio::test]
async fn the_native_pc_learns_the_earthquake_network_from_the_seeded_data() {
    let sibling = std::path::Path::new(env!("CARGO_BIN_EXE_causeway")).with_file_name("causeway-pc");
    assert!(
        sibling.is_file(),
        "{} is missing: run `cargo test --workspace`, which builds it",
        sibling.display()
    );
    let app = spawn_app().await;
    app.seed().await;
    let experiment = app.seeded_experiment("Earthquake experiment (native PC)").await;
    let job = app.start(&experiment, json!({})).await;
    let done = app.finished_job(&job["id"], Duration::from_secs(60)).await;
    assert_eq!(done["status"], "done", "the PC run failed: {done}");
    assert_eq!(app.true_positive_names(&done["result"]["id"]).await, earthquake_truth());
}

/// Issue 5's end-to-end path for generated data: a generation job delivers a dataset with its
/// ground truth, and an experiment on it learns most of that truth.
#[tokio::test]
async fn an_experiment_runs_on_a_generated_dataset_and_is_compared_with_its_ground_truth() {
    let app = spawn_app().await;
    app.seed().await;
    let generation = expect_json(
        app.post_json(
            "/api/jobs/dataset_generation",
            &json!({"datasetName": "generated gaussian", "generator_type": "CAUSEWAY",
                    "parameters": {"num_nodes": 8, "num_samples": 5000, "expected_degree": 2, "seed": 11}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let generated = app.finished_job(&generation["id"], Duration::from_secs(60)).await;
    assert_eq!(generated["status"], "done", "{generated}");
    let path = format!("/api/job/{}/dataset_generation", generation["id"]);
    let dataset_id = expect_json(app.get(&path).await, StatusCode::OK).await["dataset_id"].clone();
    let metadata_path = format!("/api/dataset/{dataset_id}/metadata");
    eventually("the generated ground truth", || async {
        expect_json(app.get(&metadata_path).await, StatusCode::OK).await["has_ground_truth"] == true
    })
    .await;

    let algorithms = expect_json(app.get("/api/algorithms").await, StatusCode::OK).await;
    let native_pc = algorithms
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["package"] == "causeway" && a["function"] == "pc")
        .expect("the native PC in the catalogue")
        .clone();
    let experiment = app
        .create_experiment(
            "PC on generated data",
            &dataset_id,
            &native_pc["id"],
            json!({"alpha": 0.01, "independence_test": "gaussCI"}),
        )
        .await;
    let job = app.start(&experiment, json!({})).await;
    let done = app.finished_job(&job["id"], Duration::from_secs(60)).await;
    assert_eq!(done["status"], "done", "{done}");
    let comparison = expect_json(
        app.get(&format!("/api/result/{}/gtcompare", done["result"]["id"])).await,
        StatusCode::OK,
    )
    .await;
    let skeleton = &comparison["skeleton"];
    let (precision, recall) = (skeleton["precision"].as_f64().unwrap(), skeleton["recall"].as_f64().unwrap());
    // 5,000 linear-Gaussian samples with edge weights away from zero: PC finds nearly every
    // adjacency and few spurious ones.
    assert!(
        precision >= 0.8 && recall >= 0.8,
        "skeleton precision {precision}, recall {recall}: {comparison}"
    );
}
