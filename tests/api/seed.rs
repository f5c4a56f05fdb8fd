use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, expect_json, spawn_app};

/// The seeded experiments that are not part of a study.
async fn examples(app: &TestApp) -> Value {
    let all = expect_json(app.get("/api/experiments").await, StatusCode::OK).await;
    Value::Array(all.as_array().unwrap().iter().filter(|e| e["study_id"].is_null()).cloned().collect())
}

#[tokio::test]
async fn seeding_twice_gives_the_catalogue_and_one_earthquake_example() {
    let app = spawn_app().await;
    app.seed().await;
    app.seed().await;
    let algorithms = expect_json(app.get("/api/algorithms").await, StatusCode::OK).await;
    let algorithms = algorithms.as_array().unwrap();
    assert!(algorithms.len() >= 8);
    let pc = algorithms.iter().find(|a| a["package"] == "pcalg" && a["function"] == "pc").unwrap();
    let keys: Vec<_> = pc["valid_parameters"].as_object().unwrap().keys().take(2).cloned().collect();
    assert_eq!(keys, ["alpha", "independence_test"], "catalogue order is kept");

    let datasets = expect_json(app.get("/api/datasets").await, StatusCode::OK).await;
    assert_eq!(datasets.as_array().unwrap().len(), 2, "Earthquake and the generated Gaussian data");
    let dataset = &datasets[0];
    assert_eq!(dataset["name"], "Earthquake dataset");
    let csv = app.get(&format!("/api/dataset/{}/loadwithids", dataset["id"])).await.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 10_001);
    assert!(lines[1..].iter().all(|l| l.split(',').all(|v| v == "0" || v == "1")));
    let load = app.get(&format!("/api/dataset/{}/load", dataset["id"])).await.text().await.unwrap();
    assert!(load.starts_with("Burglary,Earthquake,Alarm,JohnCalls,MaryCalls\r\n"));

    let truth: Vec<(String, String)> = sqlx::query_as(
        "SELECT f.name, t.name FROM edge e JOIN node f ON f.id = e.from_node_id JOIN node t ON t.id = e.to_node_id \
         WHERE e.is_ground_truth AND f.dataset_id = $1 ORDER BY f.name, t.name",
    )
    .bind(dataset["id"].as_i64().unwrap() as i32)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let truth: Vec<(&str, &str)> = truth.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(
        truth,
        [("Alarm", "JohnCalls"), ("Alarm", "MaryCalls"), ("Burglary", "Alarm"), ("Earthquake", "Alarm")]
    );
    // On this machine (the local launcher) only the examples that run here: the native PC and
    // causal-learn, not MPCSL's pcalg example (an image).
    let experiments = examples(&app).await;
    assert_eq!(experiments.as_array().unwrap().len(), 2, "the native PC and causal-learn");
    assert_eq!(experiments[0]["algorithm"]["package"], "causeway");
    assert_eq!(experiments[1]["algorithm"]["package"], "causal-learn");
    assert_eq!(
        experiments[1]["algorithm"]["local_command"],
        json!(["{python}", "{executors}/python/{script}"])
    );
}

/// In a cluster MPCSL's own example is seeded too, with its parameters.
#[tokio::test]
async fn a_cluster_seed_also_has_mpcsls_pcalg_example() {
    let app = spawn_app().await;
    causeway::seed::run(&app.state.db, &app.pool, causeway::config::LauncherKind::Kubernetes).await.unwrap();
    let experiments = examples(&app).await;
    assert_eq!(experiments.as_array().unwrap().len(), 3, "MPCSL's example, the native PC and causal-learn");
    assert_eq!(experiments[0]["name"], "Earthquake experiment");
    assert_eq!(
        experiments[0]["parameters"],
        json!({"alpha": 0.01, "cores": 1, "independence_test": "binCI", "verbose": 1})
    );
    // Started under the local launcher, an image-only algorithm answers 409 and makes no job.
    let message = expect_error(
        app.post_json(&format!("/api/experiment/{}/start", experiments[0]["id"]), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(message.as_str().unwrap().contains("runs on Kubernetes only"), "{message}");
    assert_eq!(app.count("job").await, 0);
}

/// The generated Gaussian example: 40 variables, 300 samples, the generator's true graph.
#[tokio::test]
async fn the_seed_makes_the_generated_gaussian_dataset_once() {
    let app = spawn_app().await;
    app.seed().await;
    app.seed().await;
    let datasets = expect_json(app.get("/api/datasets").await, StatusCode::OK).await;
    let gaussian = &datasets[1];
    assert_eq!(gaussian["name"], causeway::seed::GAUSSIAN_DATASET);
    let csv = app.get(&format!("/api/dataset/{}/load", gaussian["id"])).await.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 301);
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header.len(), 40);
    assert_eq!((header[0], header[39]), ("X0", "X39"));
    // The stored values are the generator's, digit for digit.
    let generated = causeway::generators::builtin::generate(&causeway::seed::gaussian_options()).unwrap();
    let first: Vec<f64> = lines[1].split(',').map(|v| v.parse().unwrap()).collect();
    let expected: Vec<f64> = generated.rows[0].iter().map(|v| v.parse().unwrap()).collect();
    assert_eq!(first, expected);
    let truth: Vec<(String, String)> = sqlx::query_as(
        "SELECT f.name, t.name FROM edge e JOIN node f ON f.id = e.from_node_id JOIN node t ON t.id = e.to_node_id \
         WHERE e.is_ground_truth AND f.dataset_id = $1 ORDER BY f.id, t.id",
    )
    .bind(gaussian["id"].as_i64().unwrap() as i32)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut expected: Vec<(String, String)> = generated
        .edges
        .iter()
        .map(|&(a, b)| (generated.names[a].clone(), generated.names[b].clone()))
        .collect();
    expected.sort_by_key(|(a, b)| (a[1..].parse::<u32>().unwrap(), b[1..].parse::<u32>().unwrap()));
    assert_eq!(truth, expected);
    assert_eq!(truth.len(), 45);
    let metadata =
        expect_json(app.get(&format!("/api/dataset/{}/metadata", gaussian["id"])).await, StatusCode::OK)
            .await;
    assert_eq!((metadata["variables"].as_i64(), metadata["observations"].as_i64()), (Some(40), Some(300)));
    assert_eq!(metadata["has_ground_truth"], true);
}

/// Issue 14: the seed makes the studies the README points to, once each: both PCs over an alpha
/// grid on the Gaussian data (listed first, the newest) and on the Earthquake data.
#[tokio::test]
async fn the_seed_makes_one_gaussian_and_one_earthquake_alpha_sweep() {
    let app = spawn_app().await;
    app.seed().await;
    app.seed().await;
    let studies = expect_json(app.get("/api/studies").await, StatusCode::OK).await;
    assert_eq!(studies.as_array().unwrap().len(), 2, "{studies}");
    let gaussian = &studies[0];
    assert_eq!(gaussian["name"], causeway::seed::GAUSSIAN_STUDY);
    assert_eq!(gaussian["experiment_count"], 14, "two PCs × seven alphas");
    let full = expect_json(app.get(&format!("/api/study/{}", gaussian["id"])).await, StatusCode::OK).await;
    let names: Vec<&str> =
        full["experiments"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names[0], "causeway/pc alpha=0.0001, independence_test=gaussCI, cores=1");
    assert_eq!(names[13], "causal-learn/pc alpha=0.2, independence_test=fisherz");
    let study = &studies[1];
    assert_eq!(study["name"], causeway::seed::EARTHQUAKE_STUDY);
    assert_eq!(study["experiment_count"], 10);
    assert_eq!(study["state"], "new");
    let full = expect_json(app.get(&format!("/api/study/{}", study["id"])).await, StatusCode::OK).await;
    let names: Vec<&str> =
        full["experiments"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names[0], "causeway/pc alpha=0.001, independence_test=disCI, cores=1");
    assert_eq!(names[9], "causal-learn/pc alpha=0.2, independence_test=gsq");
    let benchmark =
        expect_json(app.get(&format!("/api/study/{}/benchmark", study["id"])).await, StatusCode::OK).await;
    assert_eq!(benchmark["ground_truth"], true);
    assert_eq!(benchmark["swept_parameters"], json!(["alpha"]));
}
