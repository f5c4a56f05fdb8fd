//! Who is calling, and what they may do (docs/security.md).
//!
//! - [`Authenticator`]: turns a request's `Authorization: Bearer …` into a [`Principal`]: an API
//!   token (`tokens`), or in `oidc` mode also a JWT of the configured issuer (`oidc`). With
//!   authentication off every caller is the anonymous admin, as in MPCSL.
//! - `extract`: the typed callers handlers ask for (`Viewer`, `Editor`, `Admin`, …). The role an
//!   operation needs is stated in its signature and appears in the OpenAPI document.
//! - `tickets`: short-lived tickets for the browser's websocket.
//! - `actor`: the subject of the current request, which every event it causes records.

pub mod actor;
pub mod extract;
mod https;
pub mod oidc;
pub mod tickets;
pub mod tokens;

use std::fmt;

use poem::Request;
use sha2::{Digest, Sha256};

use crate::{
    api::error::{ApiError, ApiResult},
    config::{AuthMode, Config},
};

pub use extract::{Admin, Editor, EditorOrJobToken, Viewer, ViewerOrJobToken};

/// What a caller may do; each role may do everything the lower ones may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every read: lists, results, logs, exports, downloads, the websocket.
    Viewer,
    /// Also datasets, experiments, runs, cancelling, annotations, ground truth, generation.
    Editor,
    /// Also the algorithm catalogue, API tokens, and deleting what others created.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// Stable identity: the token's name, or the JWT's `sub`; `anonymous` when auth is off.
    pub subject: String,
    /// A display name when the credential carries one.
    pub name: Option<String>,
    pub role: Role,
}

/// The subject of every caller while authentication is off.
pub const ANONYMOUS: &str = "anonymous";

impl Principal {
    fn anonymous() -> Self {
        Principal { subject: ANONYMOUS.into(), name: None, role: Role::Admin }
    }

    /// 403 unless the caller has at least `role`.
    pub fn require(&self, role: Role) -> ApiResult<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {role} role; {} has the {} role",
                self.subject, self.role
            )))
        }
    }

    /// Deleting: its creator may, an admin may delete anything (rows from before identities,
    /// with no creator, too).
    pub fn may_delete(&self, what: &str, created_by: Option<&str>) -> ApiResult<()> {
        if self.role == Role::Admin || created_by == Some(self.subject.as_str()) {
            return Ok(());
        }
        Err(ApiError::forbidden(match created_by {
            Some(creator) => format!("{what} was created by {creator}: only they or an admin may delete it"),
            None => format!("{what} has no recorded creator: only an admin may delete it"),
        }))
    }
}

/// Authentication as configured; shared by every request.
pub struct Authenticator {
    mode: AuthMode,
    oidc: Option<oidc::Verifier>,
}

impl Authenticator {
    /// `mode` is what `Config::auth_mode` resolved (roles that serve no users fall back to
    /// `token`, the closed default).
    pub fn new(config: &Config) -> Self {
        let mode = config.auth_mode().unwrap_or(AuthMode::Token);
        let oidc = (mode == AuthMode::Oidc).then(|| oidc::Verifier::new(config)).flatten();
        Authenticator { mode, oidc }
    }

    pub fn mode(&self) -> AuthMode {
        self.mode
    }

    /// The caller of `request`: 401 without valid credentials (unless auth is off).
    pub async fn authenticate(&self, pool: &sqlx::PgPool, request: &Request) -> ApiResult<Principal> {
        if self.mode.is_open() {
            return Ok(Principal::anonymous());
        }
        let credential = bearer(request)?.ok_or_else(|| {
            ApiError::unauthorized("this needs credentials: send Authorization: Bearer <token>")
        })?;
        self.verify(pool, credential).await
    }

    /// Checks a bearer credential: API tokens in every mode, JWTs in `oidc` mode.
    pub async fn verify(&self, pool: &sqlx::PgPool, credential: &str) -> ApiResult<Principal> {
        if credential.starts_with(tokens::PREFIX) {
            return tokens::verify(pool, credential).await;
        }
        match &self.oidc {
            Some(verifier) => verifier.verify(credential).await,
            None => Err(ApiError::unauthorized("the bearer token is not a Causeway API token")),
        }
    }
}

/// The bearer credential of the `Authorization` header, if any.
fn bearer(request: &Request) -> ApiResult<Option<&str>> {
    let Some(value) = request.header(poem::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    match value.split_once(' ') {
        Some((scheme, credential))
            if scheme.eq_ignore_ascii_case("bearer") && !credential.trim().is_empty() =>
        {
            Ok(Some(credential.trim()))
        }
        _ => Err(ApiError::unauthorized("the Authorization header must be `Bearer <token>`")),
    }
}

/// SHA-256 of a secret: what the database keeps of API tokens, tickets and upload tokens.
/// Secrets are long random strings, so a fast hash is enough (no dictionary to try).
pub fn secret_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// A new random secret with a recognisable prefix (two v4 UUIDs: 244 random bits from the OS).
pub fn new_secret(prefix: &str) -> String {
    format!("{prefix}{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_deleting_needs_ownership_or_admin() {
        assert!(Role::Admin > Role::Editor && Role::Editor > Role::Viewer);
        let editor = Principal { subject: "ana".into(), name: None, role: Role::Editor };
        assert!(editor.require(Role::Viewer).is_ok());
        assert!(editor.require(Role::Admin).is_err());
        assert!(editor.may_delete("dataset 1", Some("ana")).is_ok());
        assert!(editor.may_delete("dataset 1", Some("bo")).is_err());
        assert!(editor.may_delete("dataset 1", None).is_err());
        let admin = Principal { role: Role::Admin, ..editor };
        assert!(admin.may_delete("dataset 1", Some("bo")).is_ok());
    }

    #[test]
    fn secrets_are_long_and_distinct() {
        let (a, b) = (new_secret("cw_"), new_secret("cw_"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 64);
        assert_eq!(secret_hash(&a).len(), 32);
    }
}
