//! `/socket.io` with a real Socket.IO client (python-socketio, as MPCSL's UI would connect),
//! driven as a subprocess (`socketio_client.py`) over both transports.

use std::{process::Stdio, time::Duration};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, BufReader, Lines},
    process::{Child, ChildStdout, Command},
};

use crate::{
    executor,
    helpers::{TestApp, expect_json, installed_tool, spawn_app, spawn_app_with},
    jobs::wait_for_status,
};

/// python-socketio is in the executors' development environment (`scripts/python-env --dev`).
fn python() -> Option<String> {
    let python = std::env::var("CAUSEWAY_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/executors/python/.venv/bin/python").into());
    let python = installed_tool(
        std::path::Path::new(&python),
        "create the Python environment with `scripts/python-env --dev` (or set CAUSEWAY_PYTHON)",
    )?;
    let has_client = std::process::Command::new(&python)
        .args(["-c", "import socketio, websocket"])
        .status()
        .is_ok_and(|status| status.success());
    let message = format!("python-socketio is missing from {python}: run `scripts/python-env --dev`");
    if !has_client {
        assert!(std::env::var_os("CAUSEWAY_REQUIRE_TOOLS").is_none(), "{message}");
        eprintln!("note: skipping, {message}");
        return None;
    }
    Some(python)
}

/// Waiting for a line from the client: generous, two cores are shared with the whole suite.
const WITHIN: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Client {
    async fn start(python: &str, app: &TestApp, transport: &str, extra: &[&str]) -> Client {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/socketio_client.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(&app.base)
            .arg(transport)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("starting the Socket.IO client");
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Client { child, lines }
    }

    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(WITHIN, self.lines.next_line())
            .await
            .expect("the Socket.IO client said nothing in time")
            .expect("reading the client's output")
            .expect("the Socket.IO client ended");
        serde_json::from_str(&line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"))
    }

    async fn connected(python: &str, app: &TestApp, transport: &str, extra: &[&str]) -> Client {
        let mut client = Client::start(python, app, transport, extra).await;
        let first = client.next().await;
        assert_eq!(first, json!({"connected": transport}), "{transport}");
        client
    }

    /// The events about `job` and `experiment`, in order, until `count` of them arrived.
    async fn events_about(&mut self, job: &Value, experiment: &Value, count: usize) -> Vec<(String, Value)> {
        let mut seen = vec![];
        while seen.len() < count {
            let line = self.next().await;
            let (name, data) = (line["event"].as_str().unwrap_or_default(), &line["data"]);
            if (name == "job" && data["id"] == *job) || (name == "experiment" && data["id"] == *experiment) {
                seen.push((name.to_owned(), data.clone()));
            }
        }
        seen
    }

    /// Closes standard input: the client disconnects and exits.
    async fn stop(mut self) {
        drop(self.child.stdin.take());
        let status = tokio::time::timeout(WITHIN, self.child.wait()).await.expect("client exit").unwrap();
        assert!(status.success(), "the Socket.IO client failed: {status}");
    }
}

#[tokio::test]
async fn mpcsls_ui_client_hears_a_job_run_over_polling_and_websocket() {
    let Some(python) = python() else { return };
    let app = spawn_app().await;
    let experiment = executor::experiment(&app, "ok").await;
    app.state.notifier.following().await;
    let mut polling = Client::connected(&python, &app, "polling", &[]).await;
    let mut websocket = Client::connected(&python, &app, "websocket", &[]).await;

    let job = app.start(&experiment, json!({})).await;
    wait_for_status(&app, &job["id"], "done").await;

    let (id, experiment_id) = (&job["id"], &experiment["id"]);
    let experiment_event = ("experiment".to_owned(), json!({"id": experiment_id}));
    // Queued, started (the scheduler's news: snake case), result stored (a row update: camel case).
    let expected = vec![
        ("job".to_owned(), json!({"id": id})),
        experiment_event.clone(),
        ("job".to_owned(), json!({"id": id, "error_code": null})),
        experiment_event.clone(),
        ("job".to_owned(), json!({"id": id, "errorCode": null})),
        experiment_event,
    ];
    for client in [&mut polling, &mut websocket] {
        assert_eq!(client.events_about(id, experiment_id, expected.len()).await, expected);
    }

    // Dataset changes too: an edit of the description.
    let dataset = &expect_json(app.get(&format!("/api/experiment/{experiment_id}")).await, StatusCode::OK)
        .await["dataset_id"];
    let edited = app.put_json(&format!("/api/dataset/{dataset}"), &json!({"description": "edited"})).await;
    assert_eq!(edited.status(), StatusCode::OK);
    for client in [&mut polling, &mut websocket] {
        let line = client.next().await;
        assert_eq!(line, json!({"event": "dataset", "data": {"id": dataset}}));
    }
    polling.stop().await;
    websocket.stop().await;
}

#[tokio::test]
async fn with_authentication_on_a_client_needs_a_token_or_a_ticket() {
    let Some(python) = python() else { return };
    let app = spawn_app_with(|config| config.auth = Some(causeway::config::AuthMode::Token)).await;
    app.state.notifier.following().await;

    for transport in ["polling", "websocket"] {
        // Nothing, a wrong token, a used ticket: refused, saying what is missing.
        let mut anonymous = Client::start(&python, &app, transport, &[]).await;
        let refused = anonymous.next().await;
        assert!(refused["refused"].as_str().is_some_and(|m| m.contains("credentials")), "{refused}");
        let mut wrong = Client::start(&python, &app, transport, &["--token", "cw_wrong"]).await;
        let refused = wrong.next().await;
        assert!(refused["refused"].is_string(), "{refused}");

        // An API token in the auth payload.
        let name = format!("ui-{transport}");
        let (_, secret) =
            causeway::auth::tokens::create(&app.pool, &name, causeway::auth::Role::Viewer, None, "test")
                .await
                .unwrap();
        let token = Client::connected(&python, &app, transport, &["--token", &secret]).await;

        // A ticket from POST /api/ws-ticket, once.
        let ticket =
            expect_json(app.client.post(app.url("/api/ws-ticket")).send().await.unwrap(), StatusCode::OK)
                .await;
        let query = format!("ticket={}", ticket["ticket"].as_str().unwrap());
        let mut ticketed = Client::connected(&python, &app, transport, &["--query", &query]).await;
        let mut again = Client::start(&python, &app, transport, &["--query", &query]).await;
        let refused = again.next().await;
        assert!(refused["refused"].as_str().is_some_and(|m| m.contains("ticket")), "{refused}");

        // Admitted clients hear events.
        let dataset = app.dataset_over(&format!("sio_{transport}"), "x int", "(1)").await;
        let line = ticketed.next().await;
        assert_eq!(line, json!({"event": "dataset", "data": {"id": dataset["id"]}}));
        token.stop().await;
        ticketed.stop().await;
    }
}

#[tokio::test]
async fn the_endpoint_is_served_unless_switched_off() {
    let handshake = "/socket.io/?EIO=4&transport=polling";
    let on = spawn_app().await;
    let open = on.get(handshake).await.text().await.unwrap();
    // Engine.IO's open packet: "0" and the session's parameters.
    assert!(open.starts_with("0{\"sid\":"), "{open}");

    let off = spawn_app_with(|config| config.socketio = false).await;
    let answer = off.get(handshake).await.text().await.unwrap();
    assert!(!answer.starts_with("0{"), "still served: {answer}");
}
