use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_error, expect_json, spawn_app};

#[tokio::test]
async fn a_query_dataset_gets_one_node_per_column_in_order() {
    let app = spawn_app().await;
    let dataset = app
        .dataset_over("obs", "b double precision, a integer, \"c c\" text", "(1.5, 2, 'x'), (2.0, 3, NULL)")
        .await;
    assert_eq!(dataset["name"], "obs");
    assert_eq!(dataset["data_source"], "postgres");
    assert_eq!(dataset["content_hash"].as_str().unwrap().len(), 128);
    assert!(dataset["time_created"].as_str().unwrap().ends_with("+00:00"));
    let nodes: Vec<(String,)> = sqlx::query_as("SELECT name FROM node WHERE dataset_id = $1 ORDER BY id")
        .bind(dataset["id"].as_i64().unwrap() as i32)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let names: Vec<_> = nodes.into_iter().map(|n| n.0).collect();
    assert_eq!(names, ["b", "a", "c c"]);
    let id = &dataset["id"];
    assert_eq!(expect_json(app.get(&format!("/api/dataset/{id}")).await, StatusCode::OK).await, dataset);
    assert_eq!(expect_json(app.get("/api/datasets").await, StatusCode::OK).await, json!([dataset]));
}

#[tokio::test]
async fn bad_queries_get_400_naming_the_query_and_leave_nothing_behind() {
    let app = spawn_app().await;
    app.sql("CREATE TABLE keep (x int); INSERT INTO keep VALUES (1)").await;
    let cases = [
        "SELECT * FROM no_such_table",
        "SELEC 1",
        "SELECT 1; DROP TABLE keep",
        "SELECT 1 AS a) _x; DROP TABLE keep; SELECT (1",
        "DELETE FROM keep",
        "DELETE FROM keep RETURNING x",
        "WITH gone AS (DELETE FROM keep RETURNING x) SELECT * FROM gone",
        "CREATE TABLE sneaky (y int)",
    ];
    for query in cases {
        let message = expect_error(
            app.post_json("/api/datasets", &json!({"name": "bad", "load_query": query})).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        let text = message.as_str().unwrap_or_default().to_owned();
        assert!(text.contains(query.trim_end_matches(';')), "message {text:?} does not name {query:?}");
    }
    assert_eq!(app.count("dataset").await, 0);
    assert_eq!(app.count("node").await, 0);
    assert_eq!(app.count("keep").await, 1, "a dataset query wrote to the database");
    let sneaky: bool =
        sqlx::query_scalar("SELECT to_regclass('sneaky') IS NOT NULL").fetch_one(&app.pool).await.unwrap();
    assert!(!sneaky);
}

#[tokio::test]
async fn a_slow_query_is_stopped_by_the_statement_timeout() {
    let app =
        crate::helpers::spawn_app_with(|c| c.query_timeout = std::time::Duration::from_millis(300)).await;
    let message = expect_error(
        app.post_json("/api/datasets", &json!({"name": "slow", "load_query": "SELECT pg_sleep(5) AS s"}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.as_str().unwrap().contains("statement timeout"), "{message}");
}

#[tokio::test]
async fn dataset_fields_are_validated_field_by_field() {
    let app = spawn_app().await;
    let message =
        expect_error(app.post_json("/api/datasets", &json!({})).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        message,
        json!({"name": ["Missing data for required field."],
                               "load_query": ["Missing data for required field."]})
    );
    let message = expect_error(
        app.post_json("/api/datasets", &json!({"name": "", "load_query": null, "data_source": null})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        message,
        json!({"name": ["Shorter than minimum length 1."],
                               "load_query": ["Field may not be null."],
                               "data_source": ["Field may not be null."]})
    );
    let message = expect_error(
        app.post_json(
            "/api/datasets",
            &json!({"name": "x", "load_query": "SELECT 1", "data_source": "elsewhere"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(message, json!({"data_source": ["Not a valid choice."]}));
    let message = expect_error(
        app.post_json(
            "/api/datasets",
            &json!({"name": "x", "load_query": "SELECT FROM generate_series(1, 3)"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.as_str().unwrap().contains("no columns"), "{message}");
    assert_eq!(app.count("dataset").await, 0);
}

#[tokio::test]
async fn a_query_with_no_rows_is_a_valid_empty_dataset() {
    let app = spawn_app().await;
    let dataset = app.dataset_over("empty_obs", "x int, y int", "(1, 2)").await;
    let created = expect_json(
        app.post_json(
            "/api/datasets",
            &json!({"name": "none", "load_query": "SELECT * FROM empty_obs WHERE false"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let metadata =
        expect_json(app.get(&format!("/api/dataset/{}/metadata", created["id"])).await, StatusCode::OK).await;
    assert_eq!(metadata["observations"], 0);
    assert_eq!(metadata["variables"], 2);
    assert_ne!(created["content_hash"], dataset["content_hash"]);
}

#[tokio::test]
async fn descriptions_can_be_changed_but_not_emptied() {
    let app = spawn_app().await;
    let dataset = app.dataset_over("d", "x int", "(1)").await;
    let path = format!("/api/dataset/{}", dataset["id"]);
    let updated = expect_json(
        app.put_json(&path, &json!({"description": "new", "name": "ignored"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["description"], "new");
    assert_eq!(updated["name"], "d");
    for body in [json!({}), json!({"description": ""}), json!({"description": null})] {
        let message = expect_error(app.put_json(&path, &body).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(message, "Body must contain description");
    }
    expect_error(app.put_json("/api/dataset/999", &json!({"description": "x"})).await, StatusCode::NOT_FOUND)
        .await;
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE subject = $1")
        .bind(format!("dataset.{}.updated", dataset["id"]))
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(events, 1);
}

#[tokio::test]
async fn metadata_counts_rows_now_and_sees_ground_truth() {
    let app = spawn_app().await;
    let dataset = app.dataset_over("m", "x int, y int", "(1, 2), (3, 4)").await;
    let path = format!("/api/dataset/{}/metadata", dataset["id"]);
    let metadata = expect_json(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(metadata["variables"], 2);
    assert_eq!(metadata["observations"], 2);
    assert_eq!(metadata["data_source"], "postgres");
    assert_eq!(metadata["query"], "SELECT * FROM m");
    assert_eq!(metadata["has_ground_truth"], false);
    assert!(metadata["time_created"].as_f64().unwrap() > 1.7e9);
    // No stale cache: new rows and a ground-truth edge show at once.
    app.sql("INSERT INTO m VALUES (5, 6)").await;
    app.sql(&format!(
        "INSERT INTO edge (from_node_id, to_node_id, is_ground_truth) \
         SELECT min(id), max(id), true FROM node WHERE dataset_id = {}",
        dataset["id"]
    ))
    .await;
    let metadata = expect_json(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(metadata["observations"], 3);
    assert_eq!(metadata["has_ground_truth"], true);
    expect_error(app.get("/api/dataset/4242/metadata").await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn csv_downloads_follow_mpcsls_dialect() {
    let app = spawn_app().await;
    let dataset = app
        .dataset_over(
            "dialect",
            "f double precision, i bigint, b boolean, t text, n numeric",
            "(1.0, 2, true, 'a,b', 1.50), (0.25, NULL, false, 'say \"hi\"', NULL), (1e-05, -3, NULL, 'two\nlines', 2)",
        )
        .await;
    let response = app.get(&format!("/api/dataset/{}/load", dataset["id"])).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    // MPCSL's Python executor reads this header (a KeyError without it); streamed: 0, as MPCSL.
    assert_eq!(response.headers()["x-content-length"], "0");
    let body = response.text().await.unwrap();
    assert_eq!(
        body,
        "f,i,b,t,n\r\n1.0,2,True,\"a,b\",1.50\r\n0.25,,False,\"say \"\"hi\"\"\",\r\n1e-05,-3,,\"two\nlines\",2\r\n"
    );
    let with_ids = app.get(&format!("/api/dataset/{}/loadwithids", dataset["id"])).await;
    assert_eq!(with_ids.headers()["x-content-length"], "0");
    let with_ids = with_ids.text().await.unwrap();
    let ids: Vec<(i32,)> = sqlx::query_as("SELECT id FROM node WHERE dataset_id = $1 ORDER BY id")
        .bind(dataset["id"].as_i64().unwrap() as i32)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let header: Vec<String> = ids.iter().map(|(id,)| id.to_string()).collect();
    assert!(with_ids.starts_with(&format!("{}\r\n1.0,2,True", header.join(","))), "{with_ids}");
}

#[tokio::test]
async fn large_downloads_stream_every_row() {
    let app = spawn_app().await;
    app.sql("CREATE TABLE big AS SELECT g AS id, g * 0.5 AS half FROM generate_series(1, 50000) g").await;
    let dataset = expect_json(
        app.post_json(
            "/api/datasets",
            &json!({"name": "big", "load_query": "SELECT * FROM big ORDER BY id"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let body = app.get(&format!("/api/dataset/{}/load", dataset["id"])).await.text().await.unwrap();
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert_eq!(lines.len(), 50_002, "header + rows + trailing empty");
    assert_eq!(lines[1], "1,0.5");
    assert_eq!(lines[50_000], "50000,25000.0");
}

/// A query that fails while its rows are read: answered with an error when nothing was sent
/// yet; cut off (never a clean, shorter file) when the data had started to flow.
#[tokio::test]
async fn a_download_whose_query_fails_is_an_error_or_cut_off_never_a_short_file() {
    let app = spawn_app().await;
    app.sql("CREATE TABLE fragile (a int); INSERT INTO fragile SELECT generate_series(1, 200000)").await;
    let small = app
        .dataset_query("small", "SELECT a, 1 / (a - 500000) AS b FROM fragile WHERE a < 10 OR a = 500000")
        .await;
    let large = app.dataset_query("large", "SELECT a, 1 / (a - 500000) AS b FROM fragile").await;
    // Both queries divide by zero from now on, the large one after 200,000 good rows.
    app.sql("INSERT INTO fragile VALUES (500000)").await;

    let message = expect_error(
        app.get(&format!("/api/dataset/{}/loadwithids", small["id"])).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(message.as_str().unwrap().contains("division by zero"), "{message}");

    let response = app.get(&format!("/api/dataset/{}/loadwithids", large["id"])).await;
    assert_eq!(response.status(), StatusCode::OK, "the data had started to flow");
    let body = response.bytes().await;
    assert!(body.is_err(), "a cut-off body, not {} bytes that look complete", body.map_or(0, |b| b.len()));
    // The server goes on serving.
    let healthy = app.get(&format!("/api/dataset/{}", large["id"])).await;
    assert_eq!(healthy.status(), StatusCode::OK);
}

#[tokio::test]
async fn downloads_refuse_data_whose_columns_changed() {
    let app = spawn_app().await;
    let dataset = app.dataset_over("shifting", "x int, y int", "(1, 2)").await;
    app.sql("ALTER TABLE shifting RENAME COLUMN y TO z").await;
    let message = expect_error(
        app.get(&format!("/api/dataset/{}/loadwithids", dataset["id"])).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(message.as_str().unwrap().contains("modified"), "{message}");
    app.sql("DROP TABLE shifting").await;
    let message =
        expect_error(app.get(&format!("/api/dataset/{}/load", dataset["id"])).await, StatusCode::BAD_REQUEST)
            .await;
    assert!(message.as_str().unwrap().contains("SELECT * FROM shifting"), "{message}");
    expect_error(app.get("/api/dataset/999/load").await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn the_content_hash_changes_with_values_not_only_row_counts() {
    let app = spawn_app().await;
    let first = app.dataset_over("values_a", "x int", "(1), (2)").await;
    app.sql("CREATE TABLE values_b (x int); INSERT INTO values_b VALUES (1), (3)").await;
    app.sql("CREATE TABLE values_c (x int); INSERT INTO values_c VALUES (2), (1)").await;
    let hash = |table: &str| {
        let app = &app;
        let table = table.to_owned();
        async move {
            expect_json(
                app.post_json(
                    "/api/datasets",
                    &json!({"name": table, "load_query": format!("SELECT x FROM {table}")}),
                )
                .await,
                StatusCode::OK,
            )
            .await["content_hash"]
                .clone()
        }
    };
    let same_columns_same_values = hash("values_a").await;
    assert_ne!(hash("values_b").await, same_columns_same_values, "a changed value must change the hash");
    assert_eq!(hash("values_c").await, same_columns_same_values, "row order must not change the hash");
    assert_eq!(first["content_hash"], same_columns_same_values);
}

#[tokio::test]
async fn deleting_a_dataset_removes_everything_derived_from_it() {
    let app = spawn_app().await;
    app.seed().await;
    let datasets = expect_json(app.get("/api/datasets").await, StatusCode::OK).await;
    let id = datasets[0]["id"].clone();
    assert_eq!(datasets[0]["name"], "Earthquake dataset");
    // The seeded "Earthquake alpha sweep" lists it: deleted first, on purpose (see below).
    let studies = expect_json(app.get("/api/studies").await, StatusCode::OK).await;
    for study in studies.as_array().unwrap().iter().filter(|s| s["dataset_ids"] == json!([id])) {
        expect_json(app.delete(&format!("/api/study/{}", study["id"])).await, StatusCode::OK).await;
    }
    let deleted = expect_json(app.delete(&format!("/api/dataset/{id}")).await, StatusCode::OK).await;
    assert_eq!(deleted, datasets[0]);
    for table in ["dataset WHERE id", "node WHERE dataset_id", "experiment WHERE dataset_id"] {
        assert_eq!(app.count(&format!("{table} = {id}")).await, 0, "{table} rows left");
    }
    // What is left is the seeded Gaussian example's: its 45 true edges.
    assert_eq!(app.count("edge").await, 45);
    assert_eq!(app.count("causeway_data.earthquake").await, 10_000, "the data table stays");
    let subjects: Vec<(String,)> =
        sqlx::query_as("SELECT subject FROM outbox WHERE subject LIKE '%deleted' ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let subjects: Vec<_> = subjects.into_iter().map(|s| s.0).collect();
    assert!(subjects.contains(&format!("dataset.{id}.deleted")), "{subjects:?}");
    assert!(subjects.iter().any(|s| s.starts_with("experiment.")), "{subjects:?}");
    expect_error(app.delete(&format!("/api/dataset/{id}")).await, StatusCode::NOT_FOUND).await;
}

/// A study names its datasets in its definition: deleting one of them would silently change
/// the study (and its benchmark), so it answers 409 naming the studies, and changes nothing,
/// until they are deleted.
#[tokio::test]
async fn a_dataset_a_study_lists_is_not_deleted_before_the_study() {
    let app = spawn_app().await;
    app.seed().await;
    let datasets = expect_json(app.get("/api/datasets").await, StatusCode::OK).await;
    let (earthquake, gaussian) = (&datasets[0]["id"], &datasets[1]["id"]);
    let studies = expect_json(app.get("/api/studies").await, StatusCode::OK).await;
    let seeded =
        studies.as_array().unwrap().iter().find(|s| s["dataset_ids"] == json!([earthquake])).unwrap();
    let message =
        expect_error(app.delete(&format!("/api/dataset/{earthquake}")).await, StatusCode::CONFLICT).await;
    assert_eq!(
        message,
        format!(
            "Dataset {earthquake} is used by study {} (\"Earthquake alpha sweep\"); delete it first",
            seeded["id"]
        )
    );
    // A second study over both datasets: both studies are named.
    let pc = expect_json(app.get("/api/algorithms").await, StatusCode::OK).await;
    let pc =
        pc.as_array().unwrap().iter().find(|a| a["package"] == "causeway" && a["function"] == "pc").unwrap();
    let both = expect_json(
        app.post_json(
            "/api/studies",
            &json!({"name": "both", "dataset_ids": [earthquake, gaussian],
                    "algorithms": [{"algorithm_id": pc["id"], "parameters": {"alpha": 0.05, "independence_test": "gaussCI"}}]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let before = (app.count("dataset").await, app.count("experiment").await, app.count("node").await);
    let message =
        expect_error(app.delete(&format!("/api/dataset/{earthquake}")).await, StatusCode::CONFLICT).await;
    assert_eq!(
        message,
        format!(
            "Dataset {earthquake} is used by studies {} (\"Earthquake alpha sweep\"), {} (\"both\"); delete them first",
            seeded["id"], both["id"]
        )
    );
    assert_eq!((app.count("dataset").await, app.count("experiment").await, app.count("node").await), before);
    for study in [&seeded["id"], &both["id"]] {
        expect_json(app.delete(&format!("/api/study/{study}")).await, StatusCode::OK).await;
    }
    expect_json(app.delete(&format!("/api/dataset/{earthquake}")).await, StatusCode::OK).await;
    // The Gaussian dataset is still listed by its own seeded study.
    let message =
        expect_error(app.delete(&format!("/api/dataset/{gaussian}")).await, StatusCode::CONFLICT).await;
    assert!(message.as_str().unwrap().contains("(\"Gaussian alpha sweep\")"), "{message}");
}

#[tokio::test]
async fn data_sources_list_postgres_last() {
    let app = crate::helpers::spawn_app_with(|c| {
        c.data_sources.0 = vec![
            ("zeta".into(), "postgres://nobody@127.0.0.1:1/none".into()),
            ("alpha".into(), "mysql://nobody@127.0.0.1:1/none".into()),
        ];
    })
    .await;
    let listed = expect_json(app.get("/api/datasources").await, StatusCode::OK).await;
    assert_eq!(listed, json!({"data_sources": ["zeta", "alpha", "postgres"]}));
    let message = expect_error(
        app.post_json(
            "/api/datasets",
            &json!({"name": "x", "load_query": "SELECT 1", "data_source": "zeta"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(message, "Could not reach database \"zeta\"");
}
