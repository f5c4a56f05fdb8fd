use reqwest::{StatusCode, multipart};
use serde_json::json;

use crate::helpers::{TestApp, expect_error, expect_json, spawn_app};

async fn upload(app: &TestApp, name: &str, csv: &'static str) -> reqwest::Response {
    let form = multipart::Form::new()
        .part("file", multipart::Part::bytes(csv.as_bytes()).file_name("data.csv"))
        .text("name", name.to_owned())
        .text("description", "uploaded");
    app.client.post(app.url("/api/datasets/upload")).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn an_uploaded_csv_becomes_a_typed_table_and_a_dataset() {
    let app = spawn_app().await;
    let csv = "\u{feff}count,ratio,flag,label,empty\n1,0.5,True,a,\n2,1.5,false,\"b,c\",\n3,,TRUE,,\n";
    let dataset = expect_json(upload(&app, "My Upload", csv).await, StatusCode::OK).await;
    assert_eq!(dataset["name"], "My Upload");
    assert_eq!(dataset["description"], "uploaded");
    assert_eq!(dataset["data_source"], "postgres");
    let query = dataset["load_query"].as_str().unwrap();
    assert!(query.starts_with("SELECT * FROM causeway_data.\"my_upload_"), "{query}");
    let types: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = 'causeway_data' ORDER BY ordinal_position",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        types,
        [
            ("count", "bigint"),
            ("ratio", "double precision"),
            ("flag", "boolean"),
            ("label", "text"),
            ("empty", "text")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let body = app.get(&format!("/api/dataset/{}/load", dataset["id"])).await.text().await.unwrap();
    assert_eq!(
        body,
        "count,ratio,flag,label,empty\r\n1,0.5,True,a,\r\n2,1.5,False,\"b,c\",\r\n3,,True,,\r\n"
    );
    let metadata =
        expect_json(app.get(&format!("/api/dataset/{}/metadata", dataset["id"])).await, StatusCode::OK).await;
    assert_eq!(metadata["variables"], 5);
    assert_eq!(metadata["observations"], 3);
}

#[tokio::test]
async fn invalid_csv_files_are_refused_and_leave_no_table() {
    let app = spawn_app().await;
    let cases = [("", "empty"), ("a,b\n1,2\n3\n", "line 3 has 1 fields"), ("a,a\n1,2\n", "appears twice")];
    for (csv, expected) in cases {
        let message = expect_error(upload(&app, "bad", csv).await, StatusCode::BAD_REQUEST).await;
        assert!(message.as_str().unwrap().contains(expected), "{csv:?}: {message}");
    }
    let form = multipart::Form::new().text("name", "no file");
    let response = app.client.post(app.url("/api/datasets/upload")).multipart(form).send().await.unwrap();
    expect_error(response, StatusCode::BAD_REQUEST).await;
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'causeway_data'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(tables, 0);
    assert_eq!(app.count("dataset").await, 0);
    let message = expect_error(upload(&app, " ", "a\n1\n").await, StatusCode::BAD_REQUEST).await;
    assert_eq!(message, json!({"name": ["Shorter than minimum length 1."]}));
}
