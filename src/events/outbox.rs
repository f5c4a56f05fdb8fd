//! Writing events into the `outbox` table, inside the caller's transaction.
//!
//! Two entry points because Causeway writes through two clients: sea-orm for metadata changes
//! and sqlx where a change also streams rows with COPY (dataset uploads, result ingestion).

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sqlx::postgres::PgConnection;

use super::Event;

const INSERT: &str = "INSERT INTO outbox (subject, event_type, payload) VALUES ($1, $2, $3)";

/// Records events in a sea-orm transaction (or connection).
pub async fn record<C: ConnectionTrait>(db: &C, events: &[Event]) -> Result<(), sea_orm::DbErr> {
    for event in events {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            INSERT,
            [event.relative_subject().into(), event.event_type().into(), event.data.clone().into()],
        ))
        .await?;
    }
    Ok(())
}

/// Records events on a sqlx connection that is inside a transaction.
pub async fn record_sqlx(conn: &mut PgConnection, events: &[Event]) -> Result<(), sqlx::Error> {
    for event in events {
        sqlx::query(INSERT)
            .bind(event.relative_subject())
            .bind(event.event_type())
            .bind(sqlx::types::Json(&event.data))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
