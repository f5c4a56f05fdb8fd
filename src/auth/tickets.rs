//! Websocket tickets: a browser cannot send an `Authorization` header when it opens a
//! websocket, so it first asks `POST /api/ws-ticket` (with its credentials) for a ticket and
//! opens `/ws?ticket=…`. A ticket is single-use, lives [`TICKET_LIFETIME_SECONDS`], and is kept
//! hashed in the database, so any api replica accepts it.

use sqlx::PgPool;

use super::{Principal, Role, new_secret, secret_hash};

pub const TICKET_LIFETIME_SECONDS: i64 = 30;
const PREFIX: &str = "wst_";

/// A ticket for `principal`.
pub async fn issue(pool: &PgPool, principal: &Principal) -> sqlx::Result<String> {
    let ticket = new_secret(PREFIX);
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM ws_ticket WHERE expires_at < now()").execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO ws_ticket (ticket_hash, subject, role, expires_at) \
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
    )
    .bind(secret_hash(&ticket).to_vec())
    .bind(&principal.subject)
    .bind(principal.role.as_str())
    .bind(TICKET_LIFETIME_SECONDS as f64)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ticket)
}

/// The caller a ticket was issued to; `None` when it is unknown, used or expired.
pub async fn redeem(pool: &PgPool, ticket: &str) -> sqlx::Result<Option<Principal>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "DELETE FROM ws_ticket WHERE ticket_hash = $1 AND expires_at >= now() RETURNING subject, role",
    )
    .bind(secret_hash(ticket).to_vec())
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|(subject, role)| Some(Principal { subject, name: None, role: Role::parse(&role)? })))
}
