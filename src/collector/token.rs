//! Per-job upload tokens (docs/architecture.md, "Executors").
//!
//! The scheduler passes `--api_host <host>/t/<token>`; unmodified MPCSL executors then call
//! `http://<host>/t/<token>/api/…`. [`strip_token_prefix`] turns that back into `/api/…` and
//! remembers the token, and the collector routes check it against the job they touch. Plain
//! `/api/…` uploads are accepted only when `CAUSEWAY_REQUIRE_UPLOAD_TOKEN` is false and
//! authentication is off.

use poem::{Request, http::Uri};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::{
    api::error::{ApiError, ApiResult},
    state::SharedState,
};

/// What the request presented, stored in its extensions by [`strip_token_prefix`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Presented {
    Token(Uuid),
    Malformed,
}

/// Middleware step: `/t/<token>/rest?query` → `/rest?query`, remembering the token.
pub async fn strip_token_prefix(mut request: Request) -> poem::Result<Request> {
    let path = request.uri().path();
    let Some(rest) = path.strip_prefix("/t/") else {
        return Ok(request);
    };
    let (token, remainder) = rest.split_once('/').unwrap_or((rest, ""));
    let presented = Uuid::parse_str(token).map(Presented::Token).unwrap_or(Presented::Malformed);
    let mut new_path = format!("/{remainder}");
    if let Some(query) = request.uri().query() {
        new_path.push('?');
        new_path.push_str(query);
    }
    let uri: Uri =
        new_path.parse().map_err(|_| poem::Error::from_status(poem::http::StatusCode::BAD_REQUEST))?;
    *request.uri_mut() = uri;
    request.extensions_mut().insert(presented);
    Ok(request)
}

/// What the database stores of a token: SHA-256 of its hyphenated lower-case text (the same
/// as Postgres' `sha256(convert_to(token::text, 'UTF8'))`, which the migration used).
pub fn token_hash(token: &Uuid) -> [u8; 32] {
    crate::auth::secret_hash(&token.hyphenated().to_string())
}

fn presented(request: &Request) -> Option<Presented> {
    request.extensions().get::<Presented>().copied()
}

/// The hash of the token the request presented; `None` for a request without one where that is
/// allowed. 403 for a malformed token, or a missing one where tokens are required (always once
/// callers authenticate: an upload without a token would bypass the roles).
pub fn presented_hash(state: &SharedState, request: &Request) -> ApiResult<Option<[u8; 32]>> {
    match presented(request) {
        Some(Presented::Token(token)) => Ok(Some(token_hash(&token))),
        Some(Presented::Malformed) => Err(ApiError::forbidden("the upload token in the path is not valid")),
        // The mode is the one the authenticator resolved.
        None if state.config.require_upload_token || !state.auth.mode().is_open() => {
            Err(ApiError::forbidden(
                "uploads need the job's token: use the --api_host the scheduler passed (…/t/<token>)",
            ))
        }
        None => Ok(None),
    }
}

/// Whether `presented` is the token whose hash the job stores (compared in constant time).
pub fn token_matches(stored: Option<&[u8]>, presented: &[u8; 32]) -> bool {
    stored.is_some_and(|stored| bool::from(stored.ct_eq(presented)))
}

/// An upload or report for `job_id`: the token must be that job's; without a token, only when
/// tokens are not required. `true` when the job's own token was presented (which is what lets a
/// late result recover an abandoned job). (Result uploads check the token against the job row
/// they lock instead, and ask [`refusal`] only when it does not match.)
pub async fn authorize_job(state: &SharedState, request: &Request, job_id: i32) -> ApiResult<bool> {
    let Some(presented) = presented_hash(state, request)? else {
        return Ok(false);
    };
    let expected: Option<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT upload_token_hash FROM job WHERE id = $1")
            .bind(job_id)
            .fetch_optional(&state.pool)
            .await?;
    match expected {
        None => Err(ApiError::not_found("job", job_id)),
        Some(stored) if token_matches(stored.as_deref(), &presented) => Ok(true),
        Some(_) => Err(refusal(state, job_id, &presented).await?),
    }
}

/// Why a token that is not job `job_id`'s is refused: 409 when it is an earlier attempt's,
/// otherwise 403.
pub async fn refusal(state: &SharedState, job_id: i32, presented: &[u8; 32]) -> ApiResult<ApiError> {
    Ok(earlier_attempt(state, job_id, presented)
        .await?
        .unwrap_or_else(|| ApiError::forbidden(format!("the upload token does not belong to job {job_id}"))))
}

/// The token of an earlier attempt of the job (its run was given up on and the job retried):
/// 409 naming the attempt. Its late result is not taken, whether or not the current attempt
/// has produced one, as a retried Temporal activity's or Argo step's would not be: the current
/// attempt owns the job (`earlier_attempts` keeps each attempt's token hash, never shown).
async fn earlier_attempt(
    state: &SharedState,
    job_id: i32,
    presented: &[u8; 32],
) -> ApiResult<Option<ApiError>> {
    let attempt: Option<(i32, String)> = sqlx::query_as(
        "SELECT (e->>'attempt')::int, coalesce(e->>'reason', '') FROM job, jsonb_array_elements(earlier_attempts) e \
         WHERE id = $1 AND e->>'token_hash' = encode($2, 'hex') LIMIT 1",
    )
    .bind(job_id)
    .bind(presented.to_vec())
    .fetch_optional(&state.pool)
    .await?;
    Ok(attempt.map(|(attempt, reason)| {
        ApiError::conflict(format!(
            "job {job_id}: this upload comes from its attempt {attempt}, which was given up on ({reason}) \
             and retried; only the current attempt's result is accepted"
        ))
    }))
}

/// A dataset download: with a token, only the dataset of the token's job. Without a token it is
/// a user's download, allowed like any other read.
pub async fn authorize_dataset(state: &SharedState, request: &Request, dataset_id: i32) -> ApiResult<()> {
    let query = "SELECT e.dataset_id FROM job j JOIN experiment e ON e.id = j.experiment_id \
                 WHERE j.upload_token_hash = $1";
    token_reaches_dataset(state, request, dataset_id, query, "dataset").await
}

/// The generator's ground-truth upload: with a token, only to the dataset the token's
/// generation job produced. Without one the caller is a user (checked by the handler's role).
pub async fn authorize_ground_truth(
    state: &SharedState,
    request: &Request,
    dataset_id: i32,
) -> ApiResult<()> {
    let query = "SELECT dataset_id FROM job WHERE upload_token_hash = $1 AND type = 'dataset_generation_job'";
    token_reaches_dataset(state, request, dataset_id, query, "the ground truth of dataset").await
}

/// With a token: `query` (bound to the token's hash) must name `dataset_id`.
async fn token_reaches_dataset(
    state: &SharedState,
    request: &Request,
    dataset_id: i32,
    query: &'static str,
    what: &str,
) -> ApiResult<()> {
    match presented(request) {
        Some(Presented::Token(token)) => {
            let reached: Option<i32> = sqlx::query_scalar(query)
                .bind(token_hash(&token).to_vec())
                .fetch_optional(&state.pool)
                .await?
                .flatten();
            if reached == Some(dataset_id) {
                Ok(())
            } else {
                Err(ApiError::forbidden(format!(
                    "the upload token does not give access to {what} {dataset_id}"
                )))
            }
        }
        Some(Presented::Malformed) => Err(ApiError::forbidden("the upload token in the path is not valid")),
        None => Ok(()),
    }
}
