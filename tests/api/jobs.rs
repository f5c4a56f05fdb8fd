//! The job engine end to end: start → scheduler → local executor → collector → events.

use std::time::Duration;

use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    executor,
    helpers::{
        Scheduling, TestApp, eventually, expect_error, expect_json, spawn_app, spawn_app_scheduling,
        spawn_app_with,
    },
};

pub async fn wait_for_status(app: &TestApp, id: &Value, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let current = app.job(id).await;
        if current["status"] == status {
            return current;
        }
        assert!(tokio::time::Instant::now() < deadline, "job {id} never became {status}: {current}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn a_started_experiment_runs_to_a_stored_result_and_everyone_is_told() {
    let app = spawn_app().await;
    let experiment = executor::experiment(&app, "ok").await;

    // Subscribe before acting: a NATS subscriber and a websocket client.
    let nats = async_nats::connect(app.state.config.nats_url.as_str()).await.unwrap();
    let mut events = nats.subscribe(format!("{}.job.>", app.state.config.events_prefix())).await.unwrap();
    nats.flush().await.unwrap();
    let (mut socket, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/ws", &app.base["http://".len()..])).await.unwrap();
    let hello: Value =
        serde_json::from_str(&socket.next().await.unwrap().unwrap().into_text().unwrap()).unwrap();
    assert_eq!(hello["hello"], true);
    // The feed is ready once an event makes it through; wait for the consumer to exist.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let created = app.start(&experiment, json!({})).await;
    assert_eq!(created["status"], "waiting");
    assert_eq!(created["type"], "experiment_job");
    let done = wait_for_status(&app, &created["id"], "done").await;
    assert_eq!(done["result"]["execution_time"], 1.25);
    assert_eq!(done["result"]["meta_results"], json!({"mode": "ok"}));
    assert!(done["end_time"].is_string());
    assert!(done["container_id"].as_str().unwrap().starts_with("local-"));
    let edges: i64 = sqlx::query_scalar("SELECT count(*) FROM edge WHERE result_id IS NOT NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(edges, 1);

    let mut nats_seen = vec![];
    while nats_seen.len() < 3 {
        let message =
            tokio::time::timeout(Duration::from_secs(10), events.next()).await.expect("NATS event").unwrap();
        let event: Value = serde_json::from_slice(&message.payload).unwrap();
        assert_eq!(event["specversion"], "1.0");
        assert_eq!(
            message.headers.as_ref().unwrap().get("Nats-Msg-Id").unwrap().as_str(),
            event["id"].as_str().unwrap()
        );
        if event["data"]["id"] == created["id"] {
            nats_seen.push(event["type"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        nats_seen,
        ["io.causeway.job.created", "io.causeway.job.started", "io.causeway.job.succeeded"]
    );

    let mut socket_seen = vec![];
    let mut last_seq = 0;
    while socket_seen.len() < 3 {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("ws event")
            .unwrap()
            .unwrap();
        let event: Value = serde_json::from_str(&message.into_text().unwrap()).unwrap();
        let seq = event["seq"].as_u64().unwrap();
        assert!(seq > last_seq, "sequence numbers increase");
        last_seq = seq;
        if event["entity"] == "job" && event["id"] == created["id"] {
            socket_seen.push(event["what"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(socket_seen, ["created", "started", "succeeded"]);

    // The run's output is saved into the job once the process has ended.
    eventually("the log to be saved", || async {
        app.job(&created["id"]).await["log"].as_str().is_some_and(|l| l.contains("uploaded 200"))
    })
    .await;
    let logs = app.get(&format!("/api/job/{}/logs?last=2", created["id"])).await.text().await.unwrap();
    assert_eq!(logs, "uploaded 200\n");
    let experiment_now =
        expect_json(app.get(&format!("/api/experiment/{}", experiment["id"])).await, StatusCode::OK).await;
    assert_eq!(experiment_now["last_job"]["id"], created["id"]);
    assert_eq!(experiment_now["execution_time_statistics"]["median"], 1.25);
}

#[tokio::test]
async fn a_crashing_executor_ends_in_error_with_its_log() {
    let app = spawn_app().await;
    let experiment = executor::experiment(&app, "crash").await;
    let created = app.start(&experiment, json!({})).await;
    let failed = wait_for_status(&app, &created["id"], "error").await;
    assert_eq!(failed["error_code"], -127);
    assert!(failed["log"].as_str().unwrap().contains("something went wrong"), "{failed}");
}

#[tokio::test]
async fn an_executor_that_exits_without_a_result_fails_the_job() {
    let app = spawn_app().await;
    let experiment = executor::experiment(&app, "silent").await;
    let created = app.start(&experiment, json!({})).await;
    let failed = wait_for_status(&app, &created["id"], "error").await;
    assert_eq!(failed["error_code"], -127);
}

#[tokio::test]
async fn an_executor_error_report_ends_in_error_without_a_code() {
    let app = spawn_app().await;
    let experiment = executor::experiment(&app, "report").await;
    let created = app.start(&experiment, json!({})).await;
    let failed = wait_for_status(&app, &created["id"], "error").await;
    assert_eq!(failed["error_code"], json!(null));
    // A report for a job that is not running conflicts with its state.
    let message = expect_error(
        app.client.put(app.url(&format!("/api/job/{}", created["id"]))).send().await.unwrap(),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(message.as_str().unwrap().contains("is error"), "{message}");
    expect_error(app.client.put(app.url("/api/job/9999")).send().await.unwrap(), StatusCode::NOT_FOUND).await;
}

/// After `PUT /api/job/{id}` the executor still prints and exits; its run is not stopped at once,
/// so the log keeps its last lines.
#[tokio::test]
async fn an_executor_that_reported_its_failure_may_finish_its_log() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let experiment = executor::experiment(&app, "report").await;
    let created = app.start(&experiment, json!({})).await;
    let failed = app.failed_job(&created["id"], Duration::from_secs(30)).await;
    assert_eq!(failed["error_code"], Value::Null, "{failed}");
    assert!(failed["log"].as_str().unwrap().contains("exiting after the report"), "{failed}");
}

/// An executor that lingers after its report is stopped once `exit_grace` has passed.
#[tokio::test]
async fn a_run_that_lingers_after_its_report_is_stopped_after_the_grace() {
    let app = spawn_app_scheduling(Scheduling::Manual, |c| c.exit_grace = Duration::from_millis(500)).await;
    let experiment = executor::experiment(&app, "report_and_hang").await;
    let created = app.start(&experiment, json!({})).await;
    let failed = app.failed_job(&created["id"], Duration::from_secs(30)).await;
    let log = failed["log"].as_str().unwrap();
    assert!(log.contains("executor for job") && !log.contains("exiting after the report"), "{log}");
    let end = chrono::DateTime::parse_from_rfc3339(failed["end_time"].as_str().unwrap()).unwrap();
    let stopped_after = chrono::Utc::now().signed_duration_since(end);
    assert!(stopped_after >= chrono::Duration::milliseconds(500), "stopped after {stopped_after}");
}

#[tokio::test]
async fn a_running_job_is_cancelled_and_its_process_stopped() {
    let app = spawn_app().await;
    let experiment = executor::experiment(&app, "sleep").await;
    let created = app.start(&experiment, json!({})).await;
    wait_for_status(&app, &created["id"], "running").await;
    eventually("the executor to print", || async {
        let logs = app.get(&format!("/api/job/{}/logs", created["id"])).await.text().await.unwrap();
        logs.contains("loaded 2 rows")
    })
    .await;
    let cancelled =
        expect_json(app.delete(&format!("/api/job/{}", created["id"])).await, StatusCode::OK).await;
    assert_eq!(cancelled["status"], "cancelled");
    // The run is stopped and its log saved.
    eventually("the cancelled run's log to be saved", || async {
        app.job(&created["id"]).await["log"].as_str().is_some_and(|l| l.contains("loaded 2 rows"))
    })
    .await;
    // Deleting again hides it.
    let hidden = expect_json(app.delete(&format!("/api/job/{}", created["id"])).await, StatusCode::OK).await;
    assert_eq!(hidden["status"], "hidden");
    let visible = expect_json(app.get("/api/jobs").await, StatusCode::OK).await;
    assert_eq!(visible, json!([]));
    let all = expect_json(app.get("/api/jobs?show_hidden=1").await, StatusCode::OK).await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    expect_error(app.get("/api/jobs?show_hidden=yes").await, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn a_cancel_issued_while_the_scheduler_is_down_stops_the_run_later() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let scheduler = app.scheduler.clone().unwrap();
    let experiment = executor::experiment(&app, "sleep").await;
    let created = app.start(&experiment, json!({})).await;
    scheduler.tick().await;
    assert_eq!(app.job(&created["id"]).await["status"], "running");
    // The scheduler is "down" (no loop): the cancel only reaches the database.
    expect_json(app.delete(&format!("/api/job/{}", created["id"])).await, StatusCode::OK).await;
    scheduler.tick().await;
    let after = app.job(&created["id"]).await;
    assert_eq!(after["status"], "cancelled");
    assert!(after["log"].as_str().is_some(), "the stopped run's log is saved: {after}");
}

#[tokio::test]
async fn sequential_jobs_wait_their_turn_and_a_hidden_waiting_job_never_starts() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let scheduler = app.scheduler.clone().unwrap();
    let experiment = executor::experiment(&app, "sleep").await;
    let first = app.start(&experiment, json!({"runs": 1, "parallel": false})).await;
    let second = app.start(&experiment, json!({"runs": 1, "parallel": false})).await;
    let third = app.start(&experiment, json!({"runs": 1, "parallel": true})).await;
    scheduler.tick().await;
    assert_eq!(app.job(&first["id"]).await["status"], "running");
    assert_eq!(app.job(&second["id"]).await["status"], "waiting", "a sequential job waits");
    assert_eq!(app.job(&third["id"]).await["status"], "waiting", "no overtaking a waiting sequential job");
    let hidden = expect_json(app.delete(&format!("/api/job/{}", second["id"])).await, StatusCode::OK).await;
    assert_eq!(hidden["status"], "hidden");
    expect_json(app.delete(&format!("/api/job/{}", first["id"])).await, StatusCode::OK).await;
    scheduler.tick().await;
    scheduler.tick().await;
    assert_eq!(app.job(&second["id"]).await["status"], "hidden");
    assert_eq!(app.job(&third["id"]).await["status"], "running");
    expect_json(app.delete(&format!("/api/job/{}", third["id"])).await, StatusCode::OK).await;
    scheduler.tick().await;
}

#[tokio::test]
async fn parallel_runs_start_together() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let scheduler = app.scheduler.clone().unwrap();
    let experiment = executor::experiment(&app, "ok").await;
    let last = app.start(&experiment, json!({"runs": 3, "parallel": true})).await;
    assert_eq!(scheduler.launch_waiting().await.unwrap(), 3);
    let jobs =
        expect_json(app.get(&format!("/api/experiment/{}/jobs", experiment["id"])).await, StatusCode::OK)
            .await;
    assert_eq!(jobs.as_array().unwrap().len(), 3);
    assert_eq!(jobs[0]["id"], last["id"], "newest first");
    eventually("all three results", || async {
        let jobs = expect_json(app.get("/api/jobs").await, StatusCode::OK).await;
        scheduler.tick().await;
        jobs.as_array().unwrap().iter().all(|j| j["status"] == "done")
    })
    .await;
}

#[tokio::test]
async fn a_run_that_takes_too_long_is_stopped_and_failed() {
    let app =
        spawn_app_scheduling(Scheduling::Manual, |c| c.job_timeout = Some(Duration::from_millis(200))).await;
    let scheduler = app.scheduler.clone().unwrap();
    let experiment = executor::experiment(&app, "sleep").await;
    let created = app.start(&experiment, json!({})).await;
    scheduler.tick().await;
    tokio::time::sleep(Duration::from_millis(300)).await; // let the timeout pass (the thing under test)
    scheduler.tick().await;
    let failed = app.job(&created["id"]).await;
    assert_eq!(failed["status"], "error");
    assert_eq!(failed["error_code"], -127);
    assert!(failed["log"].as_str().unwrap().contains("ran longer than"), "{failed}");
}

#[tokio::test]
async fn start_checks_the_experiment_the_body_and_the_data() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let experiment = executor::experiment(&app, "ok").await;
    expect_error(app.post_json("/api/experiment/999/start", &json!({})).await, StatusCode::NOT_FOUND).await;
    let message = expect_error(
        app.post_json(&format!("/api/experiment/{}/start", experiment["id"]), &json!({"runs": 0})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(message, json!({"runs": ["Must be between 1 and 10000."]}));
    let response = app
        .client
        .post(app.url(&format!("/api/experiment/{}/start", experiment["id"])))
        .send()
        .await
        .unwrap();
    let job = expect_json(response, StatusCode::OK).await;
    assert_eq!(job["status"], "waiting");
    let options: (Option<bool>, Option<bool>) =
        sqlx::query_as("SELECT parallel, enforce_cpus FROM job WHERE id = $1")
            .bind(job["id"].as_i64().unwrap() as i32)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(options, (Some(true), Some(true)), "no body: one parallel run with enforced CPUs");
    app.sql("UPDATE obs_ok SET y = 5 WHERE x = 1").await;
    let message = expect_error(
        app.post_json(&format!("/api/experiment/{}/start", experiment["id"]), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(message, "The underlying data has been modified");
    assert_eq!(app.count("job").await, 1);
}

#[tokio::test]
async fn invalid_and_duplicate_uploads_change_nothing() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let experiment = executor::experiment(&app, "ok").await;
    let created = app.start(&experiment, json!({})).await;
    let id = &created["id"];
    let upload = |body: String| app.client.post(app.url(&format!("/api/job/{id}/result"))).body(body).send();
    let message =
        expect_error(upload("{\"edge_list\": [".into()).await.unwrap(), StatusCode::BAD_REQUEST).await;
    assert!(message.as_str().unwrap().contains("not valid JSON"), "{message}");
    let message = expect_error(
        upload(json!({"edge_list": [{"from_node": 999999, "to_node": 1}]}).to_string()).await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.as_str().unwrap().contains("Invalid Node ID"), "{message}");
    let message = expect_error(
        upload(json!({"edge_list": [{"to_node": 1}]}).to_string()).await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.as_str().unwrap().contains("from_node"), "{message}");
    assert_eq!(app.count("result").await, 0);
    assert_eq!(app.count("edge WHERE result_id IS NOT NULL").await, 0);
    assert_eq!(app.job(id).await["status"], "waiting");

    let nodes: Vec<i32> =
        sqlx::query_scalar("SELECT id FROM node ORDER BY id").fetch_all(&app.pool).await.unwrap();
    let good = json!({"edge_list": [{"from_node": nodes[0], "to_node": nodes[1]}, {"from_node": nodes[1], "to_node": nodes[0], "weight": null}],
                      "sepset_list": [{"from_node": nodes[0], "to_node": nodes[1], "statistic": 0.5, "level": 1, "nodes": ["x"]}],
                      "execution_time": 2.0, "extra": {"ignored": [1, 2]}});
    let stored = expect_json(upload(good.to_string()).await.unwrap(), StatusCode::OK).await;
    assert_eq!(stored["job_id"], *id);
    assert_eq!(stored["execution_time"], 2.0);
    assert_eq!(app.count("edge WHERE result_id IS NOT NULL").await, 2);
    assert_eq!(app.count("sepset").await, 0, "sepsets are stored only with CAUSEWAY_LOAD_SEPARATION_SET");
    assert_eq!(app.job(id).await["status"], "done");
    let message = expect_error(upload(good.to_string()).await.unwrap(), StatusCode::CONFLICT).await;
    assert!(message.as_str().unwrap().contains("already has its result"), "{message}");
    assert_eq!(app.count("result").await, 1);
    expect_error(
        app.client.post(app.url("/api/job/9999/result")).body("{}").send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn sepsets_are_stored_when_configured() {
    let app = spawn_app_scheduling(Scheduling::Manual, |c| c.load_separation_set = true).await;
    let experiment = executor::experiment(&app, "ok").await;
    let created = app.start(&experiment, json!({})).await;
    let nodes: Vec<i32> =
        sqlx::query_scalar("SELECT id FROM node ORDER BY id").fetch_all(&app.pool).await.unwrap();
    let body = json!({"sepset_list": [{"from_node": nodes[0], "to_node": nodes[1], "statistic": 0.5, "level": 1, "nodes": []}],
                      "edge_list": []});
    let response = app
        .client
        .post(app.url(&format!("/api/job/{}/result", created["id"])))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    expect_json(response, StatusCode::OK).await;
    assert_eq!(app.count("sepset").await, 1);
}

#[tokio::test]
async fn upload_tokens_are_checked() {
    let app = spawn_app_scheduling(Scheduling::Manual, |c| c.require_upload_token = true).await;
    let (scheduler, launcher) = crate::durability::recording_scheduler(&app).await;
    let experiment = executor::experiment(&app, "sleep").await;
    let first = app.start(&experiment, json!({"parallel": true})).await;
    let second = app.start(&experiment, json!({"parallel": true})).await;
    scheduler.tick().await;
    let (first_token, second_token) = (launcher.token(&first["id"]), launcher.token(&second["id"]));

    // The database holds only the tokens' SHA-256, as Postgres computes it in the migration.
    for (id, token) in [(&first["id"], &first_token), (&second["id"], &second_token)] {
        let token = uuid::Uuid::parse_str(token).unwrap();
        let id = id.as_i64().unwrap() as i32;
        let (stored, by_postgres, row): (Vec<u8>, Vec<u8>, String) = sqlx::query_as(
            "SELECT upload_token_hash, sha256(convert_to($2::uuid::text, 'UTF8')), job::text FROM job WHERE id = $1",
        )
        .bind(id)
        .bind(token)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(stored, causeway::collector::token::token_hash(&token));
        assert_eq!(stored, by_postgres);
        assert!(!row.contains(&token.simple().to_string()) && !row.contains(&token.to_string()), "{row}");
    }
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'job' AND column_name LIKE '%token%'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(columns, ["upload_token_hash"]);
    let body = json!({"edge_list": []}).to_string();
    let post = |path: String| app.client.post(app.url(&path)).body(body.clone()).send();
    let message =
        expect_error(post(format!("/api/job/{}/result", first["id"])).await.unwrap(), StatusCode::FORBIDDEN)
            .await;
    assert!(message.as_str().unwrap().contains("token"), "{message}");
    expect_error(
        post(format!("/t/{second_token}/api/job/{}/result", first["id"])).await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    expect_error(
        post(format!("/t/not-a-token/api/job/{}/result", first["id"])).await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    // The same refusals on the streaming path (no length: the body is not read whole), and for
    // a job that does not exist.
    let streamed = |path: String| {
        let chunks = futures::stream::once(std::future::ready(Ok::<_, std::io::Error>(body.clone())));
        app.client.post(app.url(&path)).body(reqwest::Body::wrap_stream(chunks)).send()
    };
    expect_error(
        streamed(format!("/t/{second_token}/api/job/{}/result", first["id"])).await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    expect_error(
        streamed(format!("/t/{second_token}/api/job/987654/result")).await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(app.count("result").await, 0);
    let dataset_id = experiment["dataset_id"].clone();
    assert_eq!(
        app.get(&format!("/t/{first_token}/api/dataset/{dataset_id}/loadwithids")).await.status(),
        StatusCode::OK
    );
    expect_error(
        app.get(&format!("/t/{first_token}/api/dataset/{}/loadwithids", 12345)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    expect_json(
        post(format!("/t/{first_token}/api/job/{}/result", first["id"])).await.unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(app.job(&first["id"]).await["status"], "done");
    assert_eq!(app.job(&second["id"]).await["status"], "running");
    expect_json(app.delete(&format!("/api/job/{}", second["id"])).await, StatusCode::OK).await;
    scheduler.tick().await;
}

#[tokio::test]
async fn state_changes_commit_while_nats_is_down_and_drain_when_it_returns() {
    let app = spawn_app_scheduling(Scheduling::Manual, |c| c.nats_url = "nats://127.0.0.1:1".into()).await;
    let experiment = executor::experiment(&app, "ok").await;
    let created = app.start(&experiment, json!({})).await;
    assert_eq!(app.job(&created["id"]).await["status"], "waiting", "the change committed");
    let unpublished = app.count("outbox WHERE published_at IS NULL").await;
    assert!(unpublished >= 1);

    // NATS is back: a relay with a working connection publishes the backlog.
    let mut config = app.state.config.clone();
    config.nats_url = "nats://127.0.0.1:4222".into();
    let client = async_nats::connect(config.nats_url.as_str()).await.unwrap();
    let mut events =
        client.subscribe(format!("{}.job.{}.created", config.events_prefix(), created["id"])).await.unwrap();
    client.flush().await.unwrap();
    let relay = causeway::events::relay::Relay::new(app.pool.clone(), client.clone(), config.clone());
    causeway::events::bus::ensure_stream(&async_nats::jetstream::new(client.clone()), &config).await.unwrap();
    let published = relay.drain().await.unwrap();
    assert_eq!(published as i64, unpublished);
    let message = tokio::time::timeout(Duration::from_secs(5), events.next()).await.unwrap().unwrap();
    let event: Value = serde_json::from_slice(&message.payload).unwrap();
    assert_eq!(event["type"], "io.causeway.job.created");
    assert_eq!(app.count("outbox WHERE published_at IS NULL").await, 0);
    let _ = async_nats::jetstream::new(client).delete_stream(config.events_stream()).await;
}

#[tokio::test]
async fn logs_nodes_and_single_jobs() {
    let app = spawn_app_with(|_| {}).await;
    expect_error(app.get("/api/job/424242").await, StatusCode::NOT_FOUND).await;
    expect_error(app.get("/api/job/424242/logs").await, StatusCode::NOT_FOUND).await;
    expect_error(app.delete("/api/job/424242").await, StatusCode::NOT_FOUND).await;
    let nodes = expect_json(app.get("/api/k8s/nodes").await, StatusCode::OK).await;
    assert_eq!(nodes.as_array().unwrap().len(), 1);
    let experiment = executor::experiment(&app, "ok").await;
    let created = app.start(&experiment, json!({})).await;
    let ok = expect_json(
        app.post_json(&format!("/api/job/{}", created["id"]), &json!({"error_code": null})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ok, "ok");
    expect_error(
        app.post_json(&format!("/api/job/{}", created["id"]), &json!({})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    app.sql(&format!("UPDATE job SET log = E'a\\nb\\nc\\nd' WHERE id = {}", created["id"])).await;
    let text = app.get(&format!("/api/job/{}/logs?offset=1", created["id"])).await.text().await.unwrap();
    assert_eq!(text, "b\nc\nd");
}

/// Uploads with a known small length are stored in one statement, others streamed with COPY:
/// both must store exactly the same result.
#[tokio::test]
async fn small_and_streamed_uploads_store_the_same_result() {
    let app = spawn_app_scheduling(Scheduling::Manual, |c| c.load_separation_set = true).await;
    let experiment = executor::experiment(&app, "ok").await;
    let path = format!("/api/experiment/{}/start", experiment["id"]);
    let last = expect_json(app.post_json(&path, &json!({"runs": 2})).await, StatusCode::OK).await["id"]
        .as_i64()
        .unwrap();
    let nodes: Vec<i32> =
        sqlx::query_scalar("SELECT id FROM node ORDER BY id").fetch_all(&app.pool).await.unwrap();
    let (a, b) = (nodes[0], nodes[1]);
    let body = json!({
        "job_id": 0,
        "meta_results": {"z": 1, "a": [0.5, "x"]},
        "edge_list": [{"from_node": a, "to_node": b, "weight": 0.25}, {"from_node": b.to_string(), "to_node": a},
                      {"from_node": a, "to_node": b, "weight": null}],
        "sepset_list": [{"from_node": a, "to_node": b, "statistic": 0.125, "level": 2, "nodes": ["x", "y"]}],
        "execution_time": 1.5, "dataset_loading_time": 0.25, "node_list": []
    })
    .to_string();
    let small = app.client.post(app.url(&format!("/api/job/{}/result", last - 1))).body(body.clone());
    let small = expect_json(small.send().await.unwrap(), StatusCode::OK).await;
    let chunks = futures::stream::iter(
        body.into_bytes().chunks(7).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>(),
    );
    let streamed =
        app.client.post(app.url(&format!("/api/job/{last}/result"))).body(reqwest::Body::wrap_stream(chunks));
    let streamed = expect_json(streamed.send().await.unwrap(), StatusCode::OK).await;

    type Stored =
        (Option<String>, Option<f64>, Option<f64>, Vec<(i32, i32, Option<f64>)>, Vec<(i32, i32, f64, i32)>);
    let stored = |id: i64| {
        let pool = app.pool.clone();
        async move {
            let (meta, execution, loading): (Option<String>, Option<f64>, Option<f64>) = sqlx::query_as(
                "SELECT meta_results::text, execution_time, dataset_loading_time FROM result WHERE id = $1",
            )
            .bind(id as i32)
            .fetch_one(&pool)
            .await
            .unwrap();
            let edges = sqlx::query_as(
                "SELECT from_node_id, to_node_id, weight FROM edge WHERE result_id = $1 ORDER BY id",
            )
            .bind(id as i32)
            .fetch_all(&pool)
            .await
            .unwrap();
            let sepsets = sqlx::query_as(
                "SELECT from_node_id, to_node_id, statistic, level FROM sepset WHERE result_id = $1 ORDER BY id",
            )
            .bind(id as i32)
            .fetch_all(&pool)
            .await
            .unwrap();
            (meta, execution, loading, edges, sepsets) as Stored
        }
    };
    let expected: Stored = (
        Some(r#"{"z":1,"a":[0.5,"x"]}"#.into()),
        Some(1.5),
        Some(0.25),
        vec![(a, b, Some(0.25)), (b, a, None), (a, b, None)],
        vec![(a, b, 0.125, 2)],
    );
    assert_eq!(stored(small["id"].as_i64().unwrap()).await, expected);
    assert_eq!(stored(streamed["id"].as_i64().unwrap()).await, expected);
    assert_eq!(app.count("job WHERE status = 'done'").await, 2);
}

/// Result uploads skip the outbox trigger's NOTIFY (it would serialise concurrent commits) and
/// wake their process's relay instead: no notification, and the events are published all the
/// same, on both upload paths.
#[tokio::test]
async fn result_uploads_send_no_notify_and_their_events_still_go_out() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let experiment = executor::experiment(&app, "ok").await;
    let path = format!("/api/experiment/{}/start", experiment["id"]);
    let last = expect_json(app.post_json(&path, &json!({"runs": 2})).await, StatusCode::OK).await["id"]
        .as_i64()
        .unwrap();
    let node: i32 = sqlx::query_scalar("SELECT min(id) FROM node").fetch_one(&app.pool).await.unwrap();
    let nats = async_nats::connect(app.state.config.nats_url.as_str()).await.unwrap();
    let mut events =
        nats.subscribe(format!("{}.job.*.succeeded", app.state.config.events_prefix())).await.unwrap();
    nats.flush().await.unwrap();
    let mut listener = sqlx::postgres::PgListener::connect_with(&app.pool).await.unwrap();
    listener.listen("causeway_outbox").await.unwrap();

    let body = json!({"edge_list": [{"from_node": node, "to_node": node}], "meta_results": {}}).to_string();
    let small = app.client.post(app.url(&format!("/api/job/{}/result", last - 1))).body(body.clone());
    expect_json(small.send().await.unwrap(), StatusCode::OK).await;
    let chunked = futures::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let streamed = app
        .client
        .post(app.url(&format!("/api/job/{last}/result")))
        .body(reqwest::Body::wrap_stream(chunked));
    expect_json(streamed.send().await.unwrap(), StatusCode::OK).await;

    // Notifications arrive in commit order: the first one is this marker, sent after both uploads.
    sqlx::query("SELECT pg_notify('causeway_outbox', 'marker')").execute(&app.pool).await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(10), listener.recv()).await.unwrap().unwrap();
    assert_eq!(first.payload(), "marker", "an upload sent a NOTIFY");

    let mut published = vec![];
    while published.len() < 2 {
        let message = tokio::time::timeout(Duration::from_secs(10), events.next()).await.unwrap().unwrap();
        let event: Value = serde_json::from_slice(&message.payload).unwrap();
        published.push(event["data"]["id"].as_i64().unwrap());
    }
    published.sort();
    assert_eq!(published, [last - 1, last]);
}
