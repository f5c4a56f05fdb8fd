//! Writing events into the `outbox` table, inside the caller's transaction.
//!
//! Two entry points because Causeway writes through two clients: sea-orm for metadata changes
//! and sqlx where a change also streams rows with COPY (dataset uploads, result ingestion).
//! Each event records the actor of the request being served (`auth::actor`), if any.
//!
//! The insert trigger sends a `NOTIFY` that wakes the relays, unless the transaction ran
//! `set_config('causeway.outbox_notify', 'off', true)` (migration `m20261204_300001`); such a
//! writer calls [`super::relay::wake`] after committing. That is for hot paths with many
//! concurrent writers (result uploads): PostgreSQL serialises the commits of transactions that
//! sent a `NOTIFY` (one cluster-wide lock held until the commit is flushed), which defeats
//! group commit.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sqlx::postgres::PgConnection;

use super::Event;

const INSERT: &str = "INSERT INTO outbox (subject, event_type, payload, actor) VALUES ($1, $2, $3, $4)";

/// Records events in a sea-orm transaction (or connection).
pub async fn record<C: ConnectionTrait>(db: &C, events: &[Event]) -> Result<(), sea_orm::DbErr> {
    let actor = crate::auth::actor::current();
    for event in events {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            INSERT,
            [
                event.relative_subject().into(),
                event.event_type().into(),
                event.data.clone().into(),
                actor.clone().into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

/// Records events on a sqlx connection that is inside a transaction, in one statement.
pub async fn record_sqlx(conn: &mut PgConnection, events: &[Event]) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let subjects: Vec<String> = events.iter().map(Event::relative_subject).collect();
    let types: Vec<String> = events.iter().map(Event::event_type).collect();
    let payloads: Vec<String> = events.iter().map(|e| e.data.to_string()).collect();
    sqlx::query(
        "INSERT INTO outbox (subject, event_type, payload, actor) \
         SELECT s, t, CAST(p AS jsonb), $4 FROM unnest($1::varchar[], $2::varchar[], $3::text[]) \
         WITH ORDINALITY AS e(s, t, p, n) ORDER BY n",
    )
    .bind(&subjects)
    .bind(&types)
    .bind(&payloads)
    .bind(crate::auth::actor::current())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
