//! Dataset and node rows: inserting a dataset together with one node per column.

use serde_json::json;
use sqlx::postgres::PgConnection;

use super::sources::QueryInfo;
use crate::events::{Entity, Event, outbox};

/// What the caller decided about a new dataset; columns and hash come from [`QueryInfo`].
pub struct NewDataset<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub load_query: &'a str,
    pub data_source: &'a str,
    /// Subject of the caller who made it (`None`: Causeway itself, e.g. the seed).
    pub created_by: Option<&'a str>,
}

/// Inserts the dataset, its nodes (one per column, in column order) and the `dataset.created`
/// event on `conn`, which must be inside the caller's transaction. Returns the dataset id.
pub async fn insert_dataset(
    conn: &mut PgConnection,
    new: &NewDataset<'_>,
    info: &QueryInfo,
) -> Result<i32, sqlx::Error> {
    let id: i32 = sqlx::query_scalar(
        "INSERT INTO dataset (name, description, load_query, data_source, content_hash, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.name)
    .bind(new.description)
    .bind(new.load_query)
    .bind(new.data_source)
    .bind(&info.content_hash)
    .bind(new.created_by)
    .fetch_one(&mut *conn)
    .await?;
    let names: Vec<&str> = info.columns.iter().map(|c| c.name.as_str()).collect();
    sqlx::query(
        "INSERT INTO node (dataset_id, name) \
         SELECT $1, name FROM unnest($2::varchar[]) WITH ORDINALITY AS c(name, position) ORDER BY position",
    )
    .bind(id)
    .bind(&names)
    .execute(&mut *conn)
    .await?;
    outbox::record_sqlx(
        conn,
        &[Event::new(
            Entity::Dataset,
            id,
            "created",
            json!({ "id": id, "variables": names.len(), "observations": info.rows }),
        )],
    )
    .await?;
    Ok(id)
}
