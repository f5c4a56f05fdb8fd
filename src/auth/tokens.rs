//! API tokens: for people (pasted into the web UI) and services (CI, scripts).
//!
//! The secret is shown once, when the token is made; the database keeps its SHA-256, the
//! token's name (which is the caller's subject, so a rotated token keeps its owner's
//! identity), role, expiry and last use. Revoked and expired tokens answer 401.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::{Principal, Role, new_secret, secret_hash};
use crate::api::error::{ApiError, ApiResult};

/// Every API token starts with this, so it is recognisable in a leak scan and never mistaken
/// for a JWT.
pub const PREFIX: &str = "cw_";

/// How often `last_used_at` is written at most, so busy clients do not write a row per request.
const LAST_USED_RESOLUTION_SECONDS: f64 = 60.0;

/// A token as listed: everything but the secret.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub id: i32,
    pub name: String,
    pub role: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, name, role, created_by, created_at, expires_at, last_used_at, revoked_at";

/// A row of [`COLUMNS`].
type Row = (
    i32,
    String,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

impl From<Row> for TokenRecord {
    fn from(row: Row) -> Self {
        let (id, name, role, created_by, created_at, expires_at, last_used_at, revoked_at) = row;
        TokenRecord { id, name, role, created_by, created_at, expires_at, last_used_at, revoked_at }
    }
}

/// Makes a token; the secret is returned once and never stored.
pub async fn create(
    pool: &PgPool,
    name: &str,
    role: Role,
    lifetime: Option<std::time::Duration>,
    created_by: &str,
) -> sqlx::Result<(TokenRecord, String)> {
    let secret = new_secret(PREFIX);
    let record: Row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO api_token (name, role, secret_hash, created_by, expires_at) \
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING {COLUMNS}"
    )))
    .bind(name)
    .bind(role.as_str())
    .bind(secret_hash(&secret).to_vec())
    .bind(created_by)
    .bind(lifetime.map(|d| d.as_secs_f64()))
    .fetch_one(pool)
    .await?;
    Ok((record.into(), secret))
}

pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<TokenRecord>> {
    let rows: Vec<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM api_token ORDER BY id")))
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Revokes a token (idempotent); `None` when there is no such token.
pub async fn revoke(pool: &PgPool, id: i32) -> sqlx::Result<Option<TokenRecord>> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE api_token SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING {COLUMNS}"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Into::into))
}

/// The caller a token stands for, or 401 naming why it is not valid.
pub async fn verify(pool: &PgPool, secret: &str) -> ApiResult<Principal> {
    let found: Option<(i32, String, String, bool, bool, bool)> = sqlx::query_as(
        "SELECT id, name, role, coalesce(expires_at <= now(), false) AS expired, revoked_at IS NOT NULL AS revoked, \
                coalesce(last_used_at < now() - make_interval(secs => $2), true) AS stale \
         FROM api_token WHERE secret_hash = $1",
    )
    .bind(secret_hash(secret).to_vec())
    .bind(LAST_USED_RESOLUTION_SECONDS)
    .fetch_optional(pool)
    .await?;
    let Some((id, name, role, expired, revoked, stale)) = found else {
        return Err(ApiError::unauthorized("the API token is not valid"));
    };
    if revoked {
        return Err(ApiError::unauthorized(format!("the API token {name:?} has been revoked")));
    }
    if expired {
        return Err(ApiError::unauthorized(format!("the API token {name:?} has expired")));
    }
    if stale {
        sqlx::query("UPDATE api_token SET last_used_at = now() WHERE id = $1").bind(id).execute(pool).await?;
    }
    let role = Role::parse(&role).ok_or_else(|| anyhow::anyhow!("token {id} has role {role:?}"))?;
    Ok(Principal { subject: name, name: None, role })
}
