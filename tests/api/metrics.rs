//! `/metrics`, `/healthz` and `/readyz` after a job has run.

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    executor,
    helpers::{eventually, expect_json, spawn_app},
};

/// The value of the sample `name` (with its labels) in an exposition text.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_report_jobs_latency_ingestion_backlog_and_requests() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.text().await.unwrap(), "ok");
    // Every response names its trace id, taken from a W3C traceparent when the caller sent one.
    let traced = app
        .client
        .get(app.url("/api/algorithms"))
        .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .send()
        .await
        .unwrap();
    assert_eq!(traced.headers()["x-trace-id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(app.get("/healthz").await.headers()["x-trace-id"].len(), 32);
    eventually("readiness (database and NATS)", || async {
        app.get("/readyz").await.status() == StatusCode::OK
    })
    .await;
    let experiment = executor::experiment(&app, "ok").await;
    let job = expect_json(
        app.post_json(&format!("/api/experiment/{}/start", experiment["id"]), &json!({})).await,
        StatusCode::OK,
    )
    .await;
    eventually("the job to be done", || async {
        expect_json(app.get(&format!("/api/job/{}", job["id"])).await, StatusCode::OK).await["status"]
            == "done"
    })
    .await;
    eventually("the outbox to drain", || async {
        let text = app.get("/metrics").await.text().await.unwrap();
        sample(&text, "causeway_outbox_backlog") == Some(0.0)
    })
    .await;
    let response = app.get("/metrics").await;
    assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4");
    let text = response.text().await.unwrap();
    assert_eq!(sample(&text, "causeway_jobs{status=\"done\"}"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "causeway_jobs{status=\"waiting\"}"), Some(0.0));
    // The counters are per process (tests share one): at least this test's share.
    assert!(sample(&text, "causeway_scheduling_latency_seconds_count").unwrap() >= 1.0);
    let latency_sum = sample(&text, "causeway_scheduling_latency_seconds_sum").unwrap();
    assert!(latency_sum > 0.0 && latency_sum < 3600.0, "{latency_sum}");
    assert!(sample(&text, "causeway_ingested_rows_total").unwrap() >= 1.0);
    assert!(sample(&text, "causeway_ingestion_rows_per_second").unwrap() > 0.0);
    assert!(
        text.contains("causeway_http_request_duration_seconds_count{method=\"POST\",status=\"200\"}"),
        "{text}"
    );
}
