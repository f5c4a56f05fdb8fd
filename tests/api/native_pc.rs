//! The native Rust PC (`executors/pc`, binary `causeway-pc`) run by the scheduler end to end.
//! `cargo test --workspace` builds `causeway-pc` next to `causeway`, where the local launcher
//! finds it.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{expect_json, spawn_app};

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
    let experiments = expect_json(app.get("/api/experiments").await, StatusCode::OK).await;
    let experiment = experiments
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Earthquake experiment (native PC)")
        .expect("the seeded native PC experiment")
        .clone();
    let job = expect_json(
        app.post_json(&format!("/api/experiment/{}/start", experiment["id"]), &json!({})).await,
        StatusCode::OK,
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let done: Value = loop {
        let current = expect_json(app.get(&format!("/api/job/{}", job["id"])).await, StatusCode::OK).await;
        if current["status"] == "done" {
            break current;
        }
        assert!(current["status"] != "error", "the PC run failed: {current}");
        assert!(tokio::time::Instant::now() < deadline, "the PC run did not finish: {current}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let result_id = &done["result"]["id"];
    let comparison =
        expect_json(app.get(&format!("/api/result/{result_id}/gtcompare")).await, StatusCode::OK).await;
    let names: std::collections::HashMap<i64, String> =
        sqlx::query_as::<_, (i32, String)>("SELECT id, name FROM node")
            .fetch_all(&app.pool)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, name)| (i64::from(id), name))
            .collect();
    let mut found: Vec<(String, String)> = comparison["error_types"]["true_positives"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (names[&e[0].as_i64().unwrap()].clone(), names[&e[1].as_i64().unwrap()].clone()))
        .collect();
    found.sort();
    let truth: Vec<(String, String)> =
        [("Alarm", "JohnCalls"), ("Alarm", "MaryCalls"), ("Burglary", "Alarm"), ("Earthquake", "Alarm")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .to_vec();
    assert_eq!(found, truth, "all four true edges, correctly oriented: {comparison}");
}
