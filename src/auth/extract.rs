//! Typed callers: a handler states the role it needs by the type of one argument, e.g.
//! `caller: Editor`. Listed first among the arguments, it authenticates before the body is
//! read (401 without valid credentials, 403 with a role too low), records the actor for the
//! events the request causes, and puts the operation's security requirement (`bearerAuth` or
//! `openIdConnect`) into the OpenAPI document, so generated clients send the header.

use poem::{Request, RequestBody};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    registry::{MetaSecurityScheme, Registry},
};

use super::{Principal, Role, actor};
use crate::{api::error::ApiError, collector::token::Presented, state::SharedState};

/// Security scheme names in the OpenAPI document.
pub const BEARER_SCHEME: &str = "bearerAuth";
pub const OIDC_SCHEME: &str = "openIdConnect";

/// Where the document points OIDC clients: redirects to the issuer's discovery document.
pub const OIDC_DISCOVERY_PATH: &str = "/api/auth/openid-configuration";

fn register_schemes(registry: &mut Registry) {
    registry.create_security_scheme(
        BEARER_SCHEME,
        MetaSecurityScheme {
            ty: "http",
            description: Some(
                "An API token (`cw_…`, from `causeway token create` or `POST /api/tokens`), or in `oidc` \
             mode an access token of the configured issuer. Not needed while authentication is off.",
            ),
            name: None,
            key_in: None,
            scheme: Some("bearer"),
            bearer_format: None,
            flows: None,
            openid_connect_url: None,
        },
    );
    registry.create_security_scheme(
        OIDC_SCHEME,
        MetaSecurityScheme {
            ty: "openIdConnect",
            description: Some("Log in with the configured OIDC issuer (authorization code with PKCE)."),
            name: None,
            key_in: None,
            scheme: None,
            bearer_format: None,
            flows: None,
            openid_connect_url: Some(OIDC_DISCOVERY_PATH),
        },
    );
}

/// The authenticated caller of `request`, if it has at least `role`.
async fn caller(request: &Request, role: Role) -> poem::Result<Principal> {
    let state = request
        .data::<SharedState>()
        .ok_or_else(|| anyhow::anyhow!("the application state is missing from the request"))
        .map_err(ApiError::from)?;
    let principal = state.auth.authenticate(&state.pool, request).await?;
    principal.require(role)?;
    actor::set(&principal.subject);
    Ok(principal)
}

macro_rules! caller_type {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        pub struct $name(pub Principal);

        impl std::ops::Deref for $name {
            type Target = Principal;
            fn deref(&self) -> &Principal {
                &self.0
            }
        }

        impl<'a> ApiExtractor<'a> for $name {
            const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
            type ParamType = ();
            type ParamRawType = ();

            fn register(registry: &mut Registry) {
                register_schemes(registry);
            }

            fn security_schemes() -> Vec<&'static str> {
                vec![BEARER_SCHEME, OIDC_SCHEME]
            }

            async fn from_request(
                request: &'a Request,
                _body: &mut RequestBody,
                _options: ExtractParamOptions<()>,
            ) -> poem::Result<Self> {
                Ok($name(caller(request, $role).await?))
            }
        }
    };
}

caller_type!(
    /// Any authenticated caller: reads.
    Viewer,
    Role::Viewer
);
caller_type!(
    /// A caller with the editor role: datasets, experiments, runs, annotations, ground truth.
    Editor,
    Role::Editor
);
caller_type!(
    /// A caller with the admin role: the algorithm catalogue, API tokens.
    Admin,
    Role::Admin
);

macro_rules! caller_or_job_token {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        ///
        /// `None` means a job's upload token was presented in the path (`/t/<token>/api/…`); the
        /// handler then checks that the token's job may touch what it asks for
        /// (`collector::token`).
        pub struct $name(pub Option<Principal>);

        impl<'a> ApiExtractor<'a> for $name {
            const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
            type ParamType = ();
            type ParamRawType = ();

            fn register(registry: &mut Registry) {
                register_schemes(registry);
            }

            fn security_schemes() -> Vec<&'static str> {
                vec![BEARER_SCHEME, OIDC_SCHEME]
            }

            /// Executors authenticate with the token in the path, which OpenAPI cannot describe.
            fn has_security_fallback() -> bool {
                true
            }

            async fn from_request(
                request: &'a Request,
                _body: &mut RequestBody,
                _options: ExtractParamOptions<()>,
            ) -> poem::Result<Self> {
                if request.extensions().get::<Presented>().is_some() {
                    return Ok($name(None));
                }
                Ok($name(Some(caller(request, $role).await?)))
            }
        }
    };
}

caller_or_job_token!(
    /// Dataset downloads: a viewer, or the executor of a job over the dataset.
    ViewerOrJobToken,
    Role::Viewer
);
caller_or_job_token!(
    /// Ground-truth uploads: an editor, or the generator that produced the dataset.
    EditorOrJobToken,
    Role::Editor
);
