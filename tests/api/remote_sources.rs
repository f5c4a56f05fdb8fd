//! Datasets whose query runs on a configured MariaDB/MySQL source.

use reqwest::StatusCode;
use serde_json::json;
use sqlx::{Connection, MySqlConnection};

use crate::helpers::{expect_error, expect_json, spawn_app_with};

fn mysql_server() -> String {
    std::env::var("CAUSEWAY_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

struct MariaDb {
    url: String,
    name: String,
}

impl MariaDb {
    async fn create() -> MariaDb {
        let name = format!("causeway_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = MySqlConnection::connect(&format!("{}/mysql", mysql_server())).await.expect("MariaDB");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name}; CREATE TABLE {name}.obs (a INT, b DOUBLE, c VARCHAR(20)); \
             INSERT INTO {name}.obs VALUES (1, 0.5, 'x,y'), (2, NULL, 'z'), (3, 2.25, NULL); \
             CREATE TABLE {name}.keep (x INT); INSERT INTO {name}.keep VALUES (1);"
        )))
        .execute(&mut conn)
        .await
        .expect("creating MariaDB test data");
        MariaDb { url: format!("{}/{name}", mysql_server()), name }
    }

    async fn count_keep(&self) -> i64 {
        let mut conn = MySqlConnection::connect(&self.url).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM keep").fetch_one(&mut conn).await.unwrap()
    }

    async fn drop(self) {
        let mut conn = MySqlConnection::connect(&format!("{}/mysql", mysql_server())).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE {}", self.name)))
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_mariadb_dataset_is_created_counted_and_downloaded() {
    let maria = MariaDb::create().await;
    let url = maria.url.clone();
    let app = spawn_app_with(|c| c.data_sources.0 = vec![("maria".into(), url)]).await;
    let dataset = expect_json(
        app.post_json("/api/datasets", &json!({"name": "remote", "load_query": "SELECT a, b, c FROM obs ORDER BY a", "data_source": "maria"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(dataset["data_source"], "maria");
    let metadata =
        expect_json(app.get(&format!("/api/dataset/{}/metadata", dataset["id"])).await, StatusCode::OK).await;
    assert_eq!(metadata["observations"], 3);
    assert_eq!(metadata["variables"], 3);
    let body = app.get(&format!("/api/dataset/{}/load", dataset["id"])).await.text().await.unwrap();
    assert_eq!(body, "a,b,c\r\n1,0.5,\"x,y\"\r\n2,,z\r\n3,2.25,\r\n");

    // One read-only statement, as on Postgres.
    for query in ["SELECT 1; DELETE FROM keep", "DELETE FROM keep", "SELECT * FROM missing_table"] {
        let message = expect_error(
            app.post_json(
                "/api/datasets",
                &json!({"name": "bad", "load_query": query, "data_source": "maria"}),
            )
            .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(message.as_str().unwrap().contains(query), "{message}");
    }
    assert_eq!(maria.count_keep().await, 1);
    assert_eq!(app.count("dataset").await, 1);

    // A changed value changes the fingerprint.
    let again = expect_json(
        app.post_json("/api/datasets", &json!({"name": "same", "load_query": "SELECT a, b, c FROM obs ORDER BY a", "data_source": "maria"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["content_hash"], dataset["content_hash"]);
    let mut conn = MySqlConnection::connect(&maria.url).await.unwrap();
    sqlx::raw_sql("UPDATE obs SET b = 9.5 WHERE a = 1").execute(&mut conn).await.unwrap();
    let changed = expect_json(
        app.post_json("/api/datasets", &json!({"name": "changed", "load_query": "SELECT a, b, c FROM obs ORDER BY a", "data_source": "maria"})).await,
        StatusCode::OK,
    )
    .await;
    assert_ne!(changed["content_hash"], dataset["content_hash"]);
    maria.drop().await;
}
