//! Input that must never reach a shell, the database or memory unchecked: local commands
//! through the API, images off the allow-list, NUL characters, oversized bodies.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{expect_error, expect_json, spawn_app};

#[tokio::test]
async fn a_local_command_cannot_be_set_through_the_api() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/algorithms",
            &json!({"package": "x", "function": "y", "local_command": ["sh", "-c", "id"]}),
        )
        .await;
    let message = expect_error(response, StatusCode::BAD_REQUEST).await;
    assert!(message["local_command"][0].as_str().unwrap().contains("causeway catalogue load"), "{message}");
    assert_eq!(app.count("algorithm").await, 0, "nothing was created");
    // The operator's way works, and the command shows in the catalogue.
    let loaded = app
        .catalogue_algorithm(
            json!({"package": "x", "function": "y", "local_command": ["true"], "valid_parameters": {}}),
        )
        .await;
    assert_eq!(loaded["local_command"], json!(["true"]));
}

#[tokio::test]
async fn images_off_the_allow_list_are_refused() {
    let app = spawn_app().await;
    for image in ["evil.example/miner", "docker.io/library/alpine", "alpine"] {
        let message = expect_error(
            app.post_json("/api/algorithms", &json!({"docker_image": image})).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(
            message["docker_image"][0].as_str().unwrap().contains("CAUSEWAY_IMAGE_ALLOWLIST"),
            "{message}"
        );
    }
    for image in ["mpci_execution_r", "causeway_execution_pc"] {
        expect_json(app.post_json("/api/algorithms", &json!({"docker_image": image})).await, StatusCode::OK)
            .await;
    }
    assert_eq!(app.count("algorithm").await, 2);
}

#[tokio::test]
async fn a_catalogue_file_with_one_bad_entry_changes_nothing() {
    let app = spawn_app().await;
    let file = json!({"version": 1, "algorithms": [
        {"package": "a", "function": "good", "valid_parameters": {}},
        {"package": "a", "function": "bad", "valid_parameters": {"k": {"type": "complex"}}}
    ]});
    let err = causeway::seed::load_catalogue(&app.state.db, &file.to_string()).await.unwrap_err();
    assert!(format!("{err:#}").contains("a/bad"), "{err:#}");
    assert_eq!(app.count("algorithm").await, 0);
}

/// Every JSON write endpoint answers a NUL character with 400 naming the field.
#[tokio::test]
async fn nul_characters_answer_400_naming_the_field() {
    let app = spawn_app().await;
    let dataset = app.dataset_over("nul_obs", "a int, b int", "(1, 2), (2, 3)").await;
    let algorithm =
        expect_json(app.post_json("/api/algorithms", &json!({"package": "p"})).await, StatusCode::OK).await;
    let cases: Vec<(&str, String, Value, &str)> = vec![
        ("POST", "/api/algorithms".into(), json!({"package": "a\u{0}b"}), "package"),
        ("POST", "/api/datasets".into(), json!({"name": "n", "load_query": "SELECT 1\u{0}"}), "load_query"),
        (
            "POST",
            "/api/experiments".into(),
            json!({"name": "e", "dataset_id": dataset["id"], "algorithm_id": algorithm["id"],
                   "parameters": {"x": "\u{0}"}}),
            "parameters.x",
        ),
        (
            "POST",
            "/api/jobs/dataset_generation".into(),
            json!({"datasetName": "g\u{0}", "generator_type": "CAUSEWAY", "parameters": {}}),
            "datasetName",
        ),
        ("PUT", format!("/api/dataset/{}", dataset["id"]), json!({"description": "d\u{0}"}), "description"),
    ];
    let datasets_before = app.count("dataset").await;
    for (method, path, body, field) in cases {
        let request = match method {
            "PUT" => app.client.put(app.url(&path)),
            _ => app.client.post(app.url(&path)),
        };
        let response = request.json(&body).send().await.unwrap();
        let message = expect_error(response, StatusCode::BAD_REQUEST).await;
        assert!(message[field][0].as_str().is_some_and(|m| m.contains("NUL")), "{method} {path}: {message}");
    }
    // The multipart upload: in the name, and inside the CSV (Postgres' own refusal, still 400).
    for (name, csv) in [("n\u{0}", "a,b\n1,2\n"), ("fine", "a,b\n1,x\u{0}y\n")] {
        let form = reqwest::multipart::Form::new()
            .text("name", name.to_owned())
            .part("file", reqwest::multipart::Part::text(csv.to_owned()).file_name("d.csv"));
        let response = app.client.post(app.url("/api/datasets/upload")).multipart(form).send().await.unwrap();
        expect_error(response, StatusCode::BAD_REQUEST).await;
    }
    assert_eq!(app.count("dataset").await, datasets_before, "nothing was created");
    assert_eq!(app.count("experiment").await, 0);
}

#[tokio::test]
async fn json_bodies_over_one_mebibyte_answer_413() {
    let app = spawn_app().await;
    let big = json!({"package": "p", "description": "x".repeat(1 << 20)});
    let message =
        expect_error(app.post_json("/api/algorithms", &big).await, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert!(message.as_str().unwrap().contains("1024 KiB"), "{message}");
    // Also without a Content-Length (chunked).
    let bytes = big.to_string().into_bytes();
    let stream = futures::stream::iter(
        bytes.chunks(64 * 1024).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>(),
    );
    let response = app
        .client
        .post(app.url("/api/algorithms"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(app.count("algorithm").await, 0);
}

/// Dataset queries run as the unprivileged query role: no server files, none of Causeway's
/// tables, no way back to Causeway's role.
#[tokio::test]
async fn user_sql_runs_without_privileges() {
    let app = spawn_app().await;
    let cases = [
        ("SELECT pg_read_file('/etc/passwd') AS a", "permission denied for function pg_read_file"),
        ("SELECT id, upload_token_hash FROM job", "permission denied for table job"),
        ("SELECT * FROM public.algorithm", "permission denied for table algorithm"),
        ("SELECT set_config('role', 'postgres', false) AS r", "permission denied to set role"),
        ("SELECT pg_ls_dir('.') AS f", "permission denied for function pg_ls_dir"),
    ];
    for (query, problem) in cases {
        let message = expect_error(
            app.post_json("/api/datasets", &json!({"name": "attack", "load_query": query})).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        let text = message.as_str().unwrap_or_default();
        assert!(text.contains(problem) && text.contains(query), "{query}: {text}");
    }
    assert_eq!(app.count("dataset").await, 0);
    // What it can read: the data schema, as itself.
    app.sql("CREATE TABLE readable (x int); INSERT INTO readable VALUES (7)").await;
    let dataset =
        app.dataset_query("who", "SELECT current_user::text AS who, (SELECT x FROM readable) AS x").await;
    let csv = app.get(&format!("/api/dataset/{}/load", dataset["id"])).await.text().await.unwrap();
    assert_eq!(csv.replace("\r\n", "\n"), "who,x\ncauseway_query,7\n");
}
