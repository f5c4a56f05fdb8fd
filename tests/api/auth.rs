//! Authentication and roles in `token` mode: every route group allowed and refused, token
//! expiry and revocation, ownership of deletes, actors on events, the websocket, executors'
//! job tokens, and the roles' separate route sets.

use std::time::Duration;

use causeway::{
    app::{App, Serves},
    auth::{Role, tokens},
    config::AuthMode,
};
use futures::{SinkExt, StreamExt};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    executor,
    helpers::{TestApp, expect_error, expect_json, spawn_app_with},
    jobs::wait_for_status,
};

async fn token_app() -> TestApp {
    spawn_app_with(|config| config.auth = Some(AuthMode::Token)).await
}

/// A token of `role` named `name`, and a client that sends it.
async fn login(app: &TestApp, name: &str, role: Role) -> (String, Client) {
    let (_, secret) = tokens::create(&app.pool, name, role, None, "test").await.unwrap();
    (secret.clone(), client_for(&secret))
}

fn client_for(secret: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {secret}").parse().unwrap());
    Client::builder().default_headers(headers).build().unwrap()
}

async fn call(
    app: &TestApp,
    client: &Client,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = client.request(method, app.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn without_valid_credentials_every_operation_answers_401_json() {
    let app = token_app().await;
    let anonymous = Client::new();
    for (method, path) in [
        (Method::GET, "/api/datasets"),
        (Method::GET, "/api/jobs"),
        (Method::POST, "/api/experiments"),
        (Method::DELETE, "/api/dataset/1"),
        (Method::GET, "/api/dataset/1/load"),
        (Method::GET, "/api/tokens"),
        (Method::POST, "/api/ws-ticket"),
    ] {
        let response = call(&app, &anonymous, method.clone(), path, None).await;
        let message = expect_error(response, StatusCode::UNAUTHORIZED).await;
        assert!(message.as_str().unwrap().contains("Bearer"), "{method} {path}: {message}");
    }
    for header in ["Basic dXNlcjpwdw==", "Bearer", "Bearer cw_not_a_token", "Bearer eyJhbGciOi.not.ajwt"] {
        let response =
            anonymous.get(app.url("/api/datasets")).header("authorization", header).send().await.unwrap();
        expect_error(response, StatusCode::UNAUTHORIZED).await;
    }
    // How to log in is public.
    let config = expect_json(app.get("/api/auth/config").await, StatusCode::OK).await;
    assert_eq!(config, json!({"mode": "token", "oidc": null}));
}

#[tokio::test]
async fn each_role_may_do_its_part_and_no_more() {
    let app = token_app().await;
    app.sql("CREATE TABLE roles_obs (a int, b int); INSERT INTO roles_obs VALUES (1, 2), (2, 4)").await;
    let (_, viewer) = login(&app, "vera", Role::Viewer).await;
    let (_, editor) = login(&app, "eddie", Role::Editor).await;
    let (_, admin) = login(&app, "ada", Role::Admin).await;
    let dataset_body = json!({"name": "d", "load_query": "SELECT * FROM roles_obs"});

    // Reads: everyone.
    for client in [&viewer, &editor, &admin] {
        expect_json(call(&app, client, Method::GET, "/api/datasets", None).await, StatusCode::OK).await;
    }
    let me = expect_json(call(&app, &viewer, Method::GET, "/api/auth/me", None).await, StatusCode::OK).await;
    assert_eq!(me, json!({"subject": "vera", "name": null, "role": "viewer", "mode": "token"}));

    // Datasets and experiments: editors and admins.
    let refused = call(&app, &viewer, Method::POST, "/api/datasets", Some(dataset_body.clone())).await;
    let message = expect_error(refused, StatusCode::FORBIDDEN).await;
    assert_eq!(message, "this needs the editor role; vera has the viewer role");
    let dataset = expect_json(
        call(&app, &editor, Method::POST, "/api/datasets", Some(dataset_body.clone())).await,
        StatusCode::OK,
    )
    .await;
    let created_by: Option<String> = sqlx::query_scalar("SELECT created_by FROM dataset WHERE id = $1")
        .bind(dataset["id"].as_i64().unwrap() as i32)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(created_by.as_deref(), Some("eddie"));

    // The catalogue: admins only.
    let algorithm = json!({"package": "p", "function": "f", "valid_parameters": {}});
    let refused = call(&app, &editor, Method::POST, "/api/algorithms", Some(algorithm.clone())).await;
    expect_error(refused, StatusCode::FORBIDDEN).await;
    let algorithm = expect_json(
        call(&app, &admin, Method::POST, "/api/algorithms", Some(algorithm)).await,
        StatusCode::OK,
    )
    .await;

    // Experiments, runs.
    let experiment_body =
        json!({"name": "e", "dataset_id": dataset["id"], "algorithm_id": algorithm["id"], "parameters": {}});
    expect_error(
        call(&app, &viewer, Method::POST, "/api/experiments", Some(experiment_body.clone())).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let experiment = expect_json(
        call(&app, &editor, Method::POST, "/api/experiments", Some(experiment_body)).await,
        StatusCode::OK,
    )
    .await;
    let start = format!("/api/experiment/{}/start", experiment["id"]);
    expect_error(call(&app, &viewer, Method::POST, &start, None).await, StatusCode::FORBIDDEN).await;

    // Deleting what others created: only its creator or an admin.
    let (_, other_editor) = login(&app, "otto", Role::Editor).await;
    let path = format!("/api/experiment/{}", experiment["id"]);
    let message =
        expect_error(call(&app, &other_editor, Method::DELETE, &path, None).await, StatusCode::FORBIDDEN)
            .await;
    assert!(message.as_str().unwrap().contains("created by eddie"), "{message}");
    expect_json(call(&app, &editor, Method::DELETE, &path, None).await, StatusCode::OK).await;
    let path = format!("/api/dataset/{}", dataset["id"]);
    expect_error(call(&app, &other_editor, Method::DELETE, &path, None).await, StatusCode::FORBIDDEN).await;
    expect_json(call(&app, &admin, Method::DELETE, &path, None).await, StatusCode::OK).await;

    // Events name who caused them.
    let actors: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT event_type, actor FROM outbox WHERE subject LIKE 'dataset.%' ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        actors,
        [
            ("io.causeway.dataset.created".to_owned(), Some("eddie".to_owned())),
            ("io.causeway.dataset.deleted".to_owned(), Some("ada".to_owned()))
        ]
    );
}

#[tokio::test]
async fn admins_manage_tokens_and_revoked_or_expired_tokens_answer_401() {
    let app = token_app().await;
    let (_, admin) = login(&app, "ada", Role::Admin).await;
    let (_, editor) = login(&app, "eddie", Role::Editor).await;
    expect_error(call(&app, &editor, Method::GET, "/api/tokens", None).await, StatusCode::FORBIDDEN).await;

    let created = expect_json(
        call(
            &app,
            &admin,
            Method::POST,
            "/api/tokens",
            Some(json!({"name": "ci", "role": "viewer", "expires_in_days": 30})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("cw_"));
    assert_eq!(
        (created["name"].as_str(), created["role"].as_str(), created["created_by"].as_str()),
        (Some("ci"), Some("viewer"), Some("ada"))
    );
    assert!(created["expires_at"].is_string());
    let bad =
        call(&app, &admin, Method::POST, "/api/tokens", Some(json!({"name": "", "role": "root"}))).await;
    let message = expect_error(bad, StatusCode::BAD_REQUEST).await;
    assert!(message["name"].is_array() && message["role"].is_array(), "{message}");

    // Only the hash is stored; the listing never shows a secret.
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM api_token WHERE position($1::bytea IN secret_hash) > 0")
            .bind(secret.as_bytes())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, 0);
    let ci = client_for(&secret);
    expect_json(call(&app, &ci, Method::GET, "/api/jobs", None).await, StatusCode::OK).await;
    let listed =
        expect_json(call(&app, &admin, Method::GET, "/api/tokens", None).await, StatusCode::OK).await;
    let listed_ci = listed.as_array().unwrap().iter().find(|t| t["name"] == "ci").unwrap();
    assert!(listed_ci.get("secret").is_none());
    assert!(listed_ci["last_used_at"].is_string(), "use is recorded: {listed_ci}");

    // Revoked: refused at once.
    let revoked = expect_json(
        call(&app, &admin, Method::DELETE, &format!("/api/token/{}", created["id"]), None).await,
        StatusCode::OK,
    )
    .await;
    assert!(revoked["revoked_at"].is_string());
    let message =
        expect_error(call(&app, &ci, Method::GET, "/api/jobs", None).await, StatusCode::UNAUTHORIZED).await;
    assert!(message.as_str().unwrap().contains("revoked"), "{message}");
    expect_error(call(&app, &admin, Method::DELETE, "/api/token/999999", None).await, StatusCode::NOT_FOUND)
        .await;

    // Expired.
    let (record, secret) =
        tokens::create(&app.pool, "short", Role::Viewer, Some(Duration::from_secs(3600)), "t").await.unwrap();
    sqlx::query("UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(record.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let message = expect_error(
        call(&app, &client_for(&secret), Method::GET, "/api/jobs", None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(message.as_str().unwrap().contains("expired"), "{message}");
}

/// Executors keep working with their job tokens; without one, nothing is accepted.
#[tokio::test]
async fn executors_upload_with_their_job_token_and_plain_uploads_are_refused() {
    let app = token_app().await;
    let experiment = executor::experiment(&app, "ok").await;
    let (_, editor) = login(&app, "eddie", Role::Editor).await;
    let job = expect_json(
        call(&app, &editor, Method::POST, &format!("/api/experiment/{}/start", experiment["id"]), None).await,
        StatusCode::OK,
    )
    .await;
    let done = wait_for_status(&app, &job["id"], "done").await;
    assert_eq!(done["result"]["meta_results"], json!({"mode": "ok"}));
    // A plain upload (no /t/<token>) is refused even with a user's credentials.
    let upload = json!({"job_id": job["id"], "edge_list": [], "meta_results": {}});
    let refused =
        call(&app, &editor, Method::POST, &format!("/api/job/{}/result", job["id"]), Some(upload)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_websocket_needs_credentials_a_ticket_or_a_first_message_token() {
    let app = token_app().await;
    let host = &app.base["http://".len()..];
    let (secret, viewer) = login(&app, "vera", Role::Viewer).await;

    // No credentials: closed with 4401 and a reason.
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{host}/ws")).await.unwrap();
    socket.send(tokio_tungstenite::tungstenite::Message::Text("{}".into())).await.unwrap();
    let closed = socket.next().await.unwrap().unwrap();
    let tokio_tungstenite::tungstenite::Message::Close(Some(frame)) = closed else {
        panic!("expected a close, got {closed:?}")
    };
    assert_eq!(u16::from(frame.code), 4401);
    assert!(frame.reason.contains("credentials"), "{}", frame.reason);

    // A ticket: once.
    let ticket =
        expect_json(call(&app, &viewer, Method::POST, "/api/ws-ticket", None).await, StatusCode::OK).await;
    let url = format!("ws://{host}/ws?ticket={}", ticket["ticket"].as_str().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let hello: Value =
        serde_json::from_str(&socket.next().await.unwrap().unwrap().into_text().unwrap()).unwrap();
    assert_eq!(hello["hello"], true);
    let (mut again, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    assert!(matches!(
        again.next().await.unwrap().unwrap(),
        tokio_tungstenite::tungstenite::Message::Close(Some(_))
    ));

    // The token as the first message.
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{host}/ws")).await.unwrap();
    socket
        .send(tokio_tungstenite::tungstenite::Message::Text(json!({"token": secret}).to_string().into()))
        .await
        .unwrap();
    let hello: Value =
        serde_json::from_str(&socket.next().await.unwrap().unwrap().into_text().unwrap()).unwrap();
    assert_eq!(hello["hello"], true);
}

#[tokio::test]
async fn the_collector_serves_only_executor_routes_and_the_scheduler_only_health() {
    let app = token_app().await;
    for (serves, open) in [
        (Serves::ExecutorRoutes, "/t/00000000-0000-0000-0000-000000000000/api/job/1"),
        (Serves::HealthOnly, "/healthz"),
    ] {
        let bound = App::bind(app.state.clone()).await.unwrap().serving(serves);
        let base = format!("http://{}", bound.address());
        tokio::spawn(bound.run_until(std::future::pending()));
        let client = Client::new();
        for path in ["/api/datasets", "/api/openapi.json", "/ws", "/"] {
            let status = client.get(format!("{base}{path}")).send().await.unwrap().status();
            assert_eq!(status, StatusCode::NOT_FOUND, "{serves:?} {path}");
        }
        assert_eq!(client.get(format!("{base}/healthz")).send().await.unwrap().status(), StatusCode::OK);
        if serves == Serves::ExecutorRoutes {
            // An executor route with a job token reaches the handler (job 1 does not exist).
            let response = client.put(format!("{base}{open}")).send().await.unwrap();
            let message = expect_error(response, StatusCode::NOT_FOUND).await;
            assert_eq!(message, "job 1 does not exist");
            let status = client.put(format!("{base}/api/job/1")).send().await.unwrap().status();
            assert_eq!(status, StatusCode::NOT_FOUND, "no token: not served");
        }
    }
}

/// Every operation states its security in the document, except the public and executor ones.
#[test]
fn the_openapi_document_states_who_may_call_each_operation() {
    let document: Value = serde_json::from_str(&causeway::api::service().spec()).unwrap();
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearerAuth"]["scheme"], "bearer");
    assert_eq!(schemes["openIdConnect"]["type"], "openIdConnect");
    let mut open = vec![];
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let security = operation["security"].as_array().map(Vec::len).unwrap_or(0);
            let tags = operation["tags"].to_string();
            if security == 0 && !tags.contains("Executors") {
                open.push(format!("{method} {path}"));
            }
            let responses = operation["responses"].as_object().unwrap();
            if security > 0 {
                assert!(responses.contains_key("401") && responses.contains_key("403"), "{method} {path}");
            }
        }
    }
    assert_eq!(open, ["get /auth/config"]);
}

fn causeway(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_causeway"))
        .args(args)
        .env("DATABASE_URL", app.state.config.database_url.expose())
        .env("CAUSEWAY_NATS_PREFIX", &app.state.config.nats_prefix)
        .env_remove("CAUSEWAY_AUTH")
        .output()
        .expect("running causeway")
}

#[tokio::test]
async fn the_token_command_prints_the_secret_once_and_lists_and_revokes() {
    let app = token_app().await;
    let created =
        causeway(&app, &["token", "create", "--name", "cli-user", "--role", "editor", "--expires", "90d"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let stdout = String::from_utf8(created.stdout).unwrap();
    let secret = stdout.trim();
    assert!(secret.starts_with("cw_") && !secret.contains('\n'), "stdout is the secret alone: {stdout:?}");
    let me =
        expect_json(call(&app, &client_for(secret), Method::GET, "/api/auth/me", None).await, StatusCode::OK)
            .await;
    assert_eq!((me["subject"].as_str(), me["role"].as_str()), (Some("cli-user"), Some("editor")));

    let listed = String::from_utf8(causeway(&app, &["token", "list"]).stdout).unwrap();
    let line = listed.lines().find(|l| l.contains("cli-user")).expect("listed");
    assert!(!listed.contains(secret), "the listing never shows a secret");
    let id = line.split('\t').next().unwrap();
    assert!(causeway(&app, &["token", "revoke", id]).status.success());
    expect_error(
        call(&app, &client_for(secret), Method::GET, "/api/auth/me", None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let unknown = causeway(&app, &["token", "revoke", "999999"]);
    assert!(!unknown.status.success());
}

#[test]
fn an_open_api_on_a_public_address_does_not_start() {
    for (auth, expected) in [(None, "CAUSEWAY_AUTH is not set"), (Some("off"), "off-insecure")] {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_causeway"));
        command.args(["--listen", "0.0.0.0:0", "api"]).env_remove("CAUSEWAY_AUTH");
        if let Some(auth) = auth {
            command.env("CAUSEWAY_AUTH", auth);
        }
        let output = command.output().expect("running causeway api");
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{auth:?}: {stderr}");
    }
}

/// Every operation of the document, called without credentials, as a viewer and as an
/// editor: refused exactly where its role is higher (before any input is looked at).
#[tokio::test]
async fn every_operation_is_refused_below_its_role() {
    let app = token_app().await;
    let (_, viewer) = login(&app, "vera", Role::Viewer).await;
    let (_, editor) = login(&app, "eddie", Role::Editor).await;
    let anonymous = Client::new();
    // Reads that take a body; the admins' operations.
    let viewer_posts = ["post /node/{node_id}/conditional", "post /intervention", "post /ws-ticket"];
    let admin_only = [
        "post /algorithms",
        "delete /algorithm/{algorithm_id}",
        "get /tokens",
        "post /tokens",
        "delete /token/{token_id}",
    ];
    let document: Value = serde_json::from_str(&causeway::api::service().spec()).unwrap();
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if operation["security"].as_array().is_none_or(Vec::is_empty) {
                continue;
            }
            let name = format!("{method} {path}");
            let needed = if admin_only.contains(&name.as_str()) {
                Role::Admin
            } else if method == "get" || viewer_posts.contains(&name.as_str()) {
                Role::Viewer
            } else {
                Role::Editor
            };
            let concrete = path
                .split('/')
                .map(|s| if s.starts_with('{') { "1" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let url = format!("/api{concrete}");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let status = call(&app, &anonymous, method.clone(), &url, Some(json!({}))).await.status();
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{name} without credentials");
            for (client, role) in [(&viewer, Role::Viewer), (&editor, Role::Editor)] {
                let status = call(&app, client, method.clone(), &url, Some(json!({}))).await.status();
                if role < needed {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{name} as {role}");
                } else {
                    assert!(
                        status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                        "{name} as {role}: {status}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 60, "{checked} operations checked");
}
