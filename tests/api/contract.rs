//! What any HTTP client may rely on: 405 says what is allowed, parameter errors use the
//! document's names, and a change the current state forbids is a 409.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    helpers::{Scheduling, expect_error, spawn_app_scheduling},
    results::stored_result,
};

#[tokio::test]
async fn a_wrong_method_is_answered_with_the_allowed_ones() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    for (method, path, allowed) in [
        (Method::PATCH, "/api/job/1", "GET, HEAD, POST, PUT, DELETE"),
        (Method::PUT, "/api/jobs", "GET, HEAD"),
        (Method::GET, "/api/job/1/result", "POST"),
        (Method::DELETE, "/api/jobs/dataset_generation", "GET, HEAD, POST"),
    ] {
        let response = app.client.request(method.clone(), app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        let allow = response.headers().get("allow").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(allow.as_deref(), Some(allowed), "{method} {path}");
        let message = expect_error(response, StatusCode::METHOD_NOT_ALLOWED).await;
        assert_eq!(message, "The method is not allowed for the requested URL.");
    }
}

#[tokio::test]
async fn parameter_errors_use_the_documents_names_and_plain_types() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    for (path, name) in [
        ("/api/job/abc", "The path parameter job_id must be an integer"),
        ("/api/job/99999999999", "The path parameter job_id must be an integer"),
        ("/api/result/1/compare/x", "The path parameter other_result_id must be an integer"),
        ("/api/jobs?show_hidden=yes", "The parameter show_hidden must be an integer"),
        ("/api/job/1/logs?offset=x", "The parameter offset must be an integer"),
    ] {
        let message = expect_error(app.get(path).await, StatusCode::BAD_REQUEST).await;
        let message = message.as_str().unwrap();
        assert!(message.starts_with(name), "{path}: {message}");
        assert!(!message.contains("param0") && !message.contains("param1"), "{path}: {message}");
        assert!(!message.contains("integer_int") && !message.contains("optional_"), "{path}: {message}");
    }
}

#[tokio::test]
async fn changes_the_jobs_state_does_not_allow_are_conflicts() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let (result, nodes) = stored_result(&app, &[(0, 1, None)]).await;
    let job = &result["job_id"];
    // The job is done: an executor's error report and a second result both conflict with that.
    let report = app.client.put(app.url(&format!("/api/job/{job}"))).send().await.unwrap();
    let message = expect_error(report, StatusCode::CONFLICT).await;
    assert!(message.as_str().unwrap().contains("is done"), "{message}");
    let upload = app
        .client
        .post(app.url(&format!("/api/job/{job}/result")))
        .json(&json!({"edge_list": [{"from_node": nodes[0], "to_node": nodes[1]}]}))
        .send()
        .await
        .unwrap();
    expect_error(upload, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn a_body_of_the_wrong_content_type_is_a_documented_415() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let document: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    for (path, content_type) in [("/api/datasets", Some("text/plain")), ("/api/experiments", None)] {
        let mut request = app.client.post(app.url(path)).body("name=x");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let message = expect_error(request.send().await.unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        assert!(message.as_str().is_some_and(|m| !m.is_empty()), "{path}: {message}");
        let operation = &document["paths"][path.trim_start_matches("/api")]["post"];
        assert!(operation["responses"]["415"].is_object(), "{path} does not document 415");
    }
    // An operation without a body cannot answer 415 or 413, so it does not say it might.
    let list = &document["paths"]["/datasets"]["get"]["responses"];
    assert!(list["415"].is_null() && list["413"].is_null(), "{list}");
    assert_eq!(app.count("dataset").await, 0);
}
