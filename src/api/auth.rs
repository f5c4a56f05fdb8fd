//! Identity routes (docs/security.md): how to log in, who am I, websocket tickets, and the
//! admins' API token management (`/api/tokens`, `/api/token/{id}`).

use chrono::{DateTime, Utc};
use poem::{Response, handler, http::StatusCode, web::Data};
use poem_openapi::{Enum, Object, OpenApi, param::Path, payload::Json};
use serde_json::{Map, Value};

use super::{
    body::{Fields, FromJsonBody, JsonBody},
    error::{ApiError, ApiResult, FieldErrors},
};
use crate::{
    auth::{Admin, Role, Viewer, tickets, tokens},
    config::AuthMode,
    state::SharedState,
};

pub struct AuthApi;

/// How the API authenticates, so a client knows whether and how to log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "kebab-case")]
pub enum AuthModeView {
    /// No credentials needed (MPCSL's behaviour).
    Off,
    /// No credentials needed, on a non-loopback address on purpose.
    OffInsecure,
    /// API tokens (`Authorization: Bearer cw_…`).
    Token,
    /// OIDC access tokens (and API tokens).
    Oidc,
}

impl From<AuthMode> for AuthModeView {
    fn from(mode: AuthMode) -> Self {
        match mode {
            AuthMode::Off => AuthModeView::Off,
            AuthMode::OffInsecure => AuthModeView::OffInsecure,
            AuthMode::Token => AuthModeView::Token,
            AuthMode::Oidc => AuthModeView::Oidc,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum RoleView {
    Viewer,
    Editor,
    Admin,
}

impl From<Role> for RoleView {
    fn from(role: Role) -> Self {
        match role {
            Role::Viewer => RoleView::Viewer,
            Role::Editor => RoleView::Editor,
            Role::Admin => RoleView::Admin,
        }
    }
}

impl From<RoleView> for Role {
    fn from(role: RoleView) -> Self {
        match role {
            RoleView::Viewer => Role::Viewer,
            RoleView::Editor => Role::Editor,
            RoleView::Admin => Role::Admin,
        }
    }
}

/// What the web UI needs to log in with the OIDC issuer (a public client, code flow + PKCE).
#[derive(Debug, Object)]
pub struct OidcClientConfig {
    pub issuer: String,
    pub client_id: String,
    pub scope: String,
}

#[derive(Debug, Object)]
pub struct AuthConfig {
    pub mode: AuthModeView,
    /// Set in `oidc` mode when `CAUSEWAY_OIDC_CLIENT_ID` is configured.
    #[oai(nullable)]
    pub oidc: Option<OidcClientConfig>,
}

/// The caller.
#[derive(Debug, Object)]
pub struct Me {
    /// Token name or JWT `sub`; `anonymous` while authentication is off.
    pub subject: String,
    #[oai(nullable)]
    pub name: Option<String>,
    pub role: RoleView,
    pub mode: AuthModeView,
}

#[derive(Debug, Object)]
pub struct WsTicket {
    /// Open `/ws?ticket=<ticket>` with it, once, within `expires_in` seconds.
    pub ticket: String,
    pub expires_in: i64,
}

/// An API token without its secret.
#[derive(Debug, Object)]
pub struct ApiToken {
    pub id: i32,
    /// Also the subject of whoever uses it: tokens with the same name are one identity.
    pub name: String,
    pub role: RoleView,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    #[oai(nullable)]
    pub expires_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub last_used_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<tokens::TokenRecord> for ApiToken {
    fn from(token: tokens::TokenRecord) -> Self {
        ApiToken {
            id: token.id,
            role: Role::parse(&token.role).unwrap_or(Role::Viewer).into(),
            name: token.name,
            created_by: token.created_by,
            created_at: token.created_at,
            expires_at: token.expires_at,
            last_used_at: token.last_used_at,
            revoked_at: token.revoked_at,
        }
    }
}

/// A new API token: its secret is in this answer and nowhere else.
#[derive(Debug, Object)]
pub struct CreatedApiToken {
    #[oai(flatten)]
    pub token: ApiToken,
    /// Send as `Authorization: Bearer <secret>`. Shown once; only its hash is kept.
    pub secret: String,
}

#[derive(Debug, Object)]
pub struct NewApiToken {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    pub role: RoleView,
    /// Lifetime in days; null or absent: no expiry.
    #[oai(nullable, validator(minimum(value = "1"), maximum(value = "3650")))]
    pub expires_in_days: Option<i64>,
}

impl FromJsonBody for NewApiToken {
    fn from_json(object: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut fields = Fields::new(object);
        let name = fields.required_string("name");
        if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
            fields.fail::<()>("name", "Longer than maximum length 200.");
        }
        let role = fields.required_string("role").and_then(|role| match Role::parse(&role) {
            Some(role) => Some(RoleView::from(role)),
            None => fields.fail("role", "Must be one of: viewer, editor, admin."),
        });
        let expires_in_days = fields.optional_int("expires_in_days");
        if expires_in_days.is_some_and(|days| !(1..=3650).contains(&days)) {
            fields.fail::<()>("expires_in_days", "Must be between 1 and 3650.");
        }
        match (name, role) {
            (Some(name), Some(role)) if fields.errors.is_empty() => {
                Ok(NewApiToken { name, role, expires_in_days })
            }
            _ => Err(fields.errors),
        }
    }
}

#[OpenApi(tag = "crate::api::Tag::Auth")]
impl AuthApi {
    /// How to authenticate: the mode and, for OIDC, the web UI's client settings. Needs no
    /// credentials.
    #[oai(path = "/auth/config", method = "get", operation_id = "getAuthConfig")]
    async fn config(&self, state: Data<&SharedState>) -> ApiResult<Json<AuthConfig>> {
        let config = &state.config;
        let mode = state.auth.mode();
        let oidc = match (mode, &config.oidc_issuer, &config.oidc_client_id) {
            (AuthMode::Oidc, Some(issuer), Some(client_id)) => Some(OidcClientConfig {
                issuer: issuer.clone(),
                client_id: client_id.clone(),
                scope: config.oidc_scope.clone(),
            }),
            _ => None,
        };
        Ok(Json(AuthConfig { mode: mode.into(), oidc }))
    }

    /// The caller: subject, display name and role.
    #[oai(path = "/auth/me", method = "get", operation_id = "getCurrentCaller")]
    async fn me(&self, caller: Viewer, state: Data<&SharedState>) -> ApiResult<Json<Me>> {
        let principal = caller.0;
        Ok(Json(Me {
            subject: principal.subject,
            name: principal.name,
            role: principal.role.into(),
            mode: state.auth.mode().into(),
        }))
    }

    /// A single-use ticket to open the websocket (`/ws?ticket=…`), for clients that cannot send
    /// headers there (browsers).
    #[oai(path = "/ws-ticket", method = "post", operation_id = "createWebsocketTicket")]
    async fn ws_ticket(&self, caller: Viewer, state: Data<&SharedState>) -> ApiResult<Json<WsTicket>> {
        let ticket = tickets::issue(&state.pool, &caller).await?;
        Ok(Json(WsTicket { ticket, expires_in: tickets::TICKET_LIFETIME_SECONDS }))
    }

    /// All API tokens (without secrets).
    #[oai(path = "/tokens", method = "get", operation_id = "listApiTokens")]
    async fn list_tokens(&self, _caller: Admin, state: Data<&SharedState>) -> ApiResult<Json<Vec<ApiToken>>> {
        Ok(Json(tokens::list(&state.pool).await?.into_iter().map(Into::into).collect()))
    }

    /// Make an API token; the answer holds its secret, which is shown only this once.
    #[oai(path = "/tokens", method = "post", operation_id = "createApiToken")]
    async fn create_token(
        &self,
        caller: Admin,
        state: Data<&SharedState>,
        body: JsonBody<NewApiToken>,
    ) -> ApiResult<Json<CreatedApiToken>> {
        let new = body.0;
        let lifetime = new.expires_in_days.map(|days| std::time::Duration::from_secs(days as u64 * 86_400));
        let (record, secret) =
            tokens::create(&state.pool, &new.name, new.role.into(), lifetime, &caller.subject).await?;
        tracing::info!(
            token_id = record.id,
            name = record.name,
            role = record.role,
            by = caller.subject,
            "API token created"
        );
        Ok(Json(CreatedApiToken { token: record.into(), secret }))
    }

    /// Revoke an API token: it answers 401 from now on.
    #[oai(path = "/token/:token_id", method = "delete", operation_id = "revokeApiToken")]
    async fn revoke_token(
        &self,
        caller: Admin,
        state: Data<&SharedState>,
        token_id: Path<i32>,
    ) -> ApiResult<Json<ApiToken>> {
        let record = tokens::revoke(&state.pool, token_id.0)
            .await?
            .ok_or_else(|| ApiError::not_found("API token", token_id.0))?;
        tracing::info!(token_id = record.id, by = caller.subject, "API token revoked");
        Ok(Json(record.into()))
    }
}

/// `GET /api/auth/openid-configuration`: the document's `openIdConnectUrl`; redirects to the
/// issuer's discovery document in `oidc` mode.
#[handler]
pub fn openid_configuration(state: Data<&SharedState>) -> Response {
    match (state.auth.mode(), &state.config.oidc_issuer) {
        (AuthMode::Oidc, Some(issuer)) => Response::builder()
            .status(StatusCode::FOUND)
            .header(
                poem::http::header::LOCATION,
                format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/')),
            )
            .finish(),
        _ => {
            use poem::IntoResponse;
            poem::web::Json(
                serde_json::json!({"message": "OIDC is not configured (CAUSEWAY_AUTH is not oidc)"}),
            )
            .with_status(StatusCode::NOT_FOUND)
            .into_response()
        }
    }
}
