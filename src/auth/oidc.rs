//! OIDC bearer tokens: JWTs signed by the configured issuer.
//!
//! The issuer's keys come from the `jwks_uri` of its discovery document
//! (`<issuer>/.well-known/openid-configuration`). They are cached and fetched again when a
//! token names a key id (`kid`) the cache does not know, which is how issuers rotate keys; a
//! flood of unknown key ids causes at most one fetch per [`MIN_REFRESH`]. Only asymmetric
//! algorithms are accepted (never `none` or HMAC, whose key would be public). The caller's
//! role comes from a configurable claim, mapped through `CAUSEWAY_OIDC_ROLE_MAP`.

use std::time::{Duration, Instant};

use jsonwebtoken::{
    Algorithm, DecodingKey, Validation, decode, decode_header,
    jwk::{Jwk, JwkSet},
};
use serde_json::Value;
use tokio::sync::Mutex;

use super::{Principal, Role};
use crate::{
    api::error::{ApiError, ApiResult},
    config::Config,
};

const ACCEPTED: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The shortest time between two key-set fetches.
const MIN_REFRESH: Duration = Duration::from_millis(500);

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;

pub struct Verifier {
    issuer: String,
    audience: Option<String>,
    role_claim: String,
    role_map: Vec<(String, Role)>,
    http: super::https::JsonFetcher,
    keys: Mutex<KeyCache>,
}

#[derive(Default)]
struct KeyCache {
    set: Option<JwkSet>,
    fetched: Option<Instant>,
}

impl KeyCache {
    fn find(&self, kid: Option<&str>) -> Option<Jwk> {
        let set = self.set.as_ref()?;
        match kid {
            Some(kid) => set.find(kid).cloned(),
            // A token without `kid` is accepted only when the issuer has a single key.
            None if set.keys.len() == 1 => set.keys.first().cloned(),
            None => None,
        }
    }
}

impl Verifier {
    /// `None` without an issuer (`Config::auth_mode` refuses `oidc` without one).
    pub fn new(config: &Config) -> Option<Self> {
        let issuer = config.oidc_issuer.clone()?;
        let role_map = config
            .oidc_role_map
            .0
            .iter()
            .filter_map(|(value, role)| Some((value.clone(), Role::parse(role)?)))
            .collect();
        let http = super::https::JsonFetcher::new(Duration::from_secs(10))
            .inspect_err(|err| tracing::error!(error = %err, "cannot build the OIDC HTTP client"))
            .ok()?;
        Some(Verifier {
            issuer: issuer.trim_end_matches('/').to_owned(),
            audience: config.oidc_audience.clone(),
            role_claim: config.oidc_role_claim.clone(),
            role_map,
            http,
            keys: Mutex::new(KeyCache::default()),
        })
    }

    /// The issuer's discovery document URL.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    pub async fn verify(&self, token: &str) -> ApiResult<Principal> {
        let header = decode_header(token)
            .map_err(|err| ApiError::unauthorized(format!("the bearer token is not a valid JWT: {err}")))?;
        if !ACCEPTED.contains(&header.alg) {
            return Err(ApiError::unauthorized(format!(
                "tokens signed with {:?} are not accepted",
                header.alg
            )));
        }
        let jwk = self.key(header.kid.as_deref()).await?;
        let key = DecodingKey::from_jwk(&jwk)
            .map_err(|err| ApiError::unauthorized(format!("the issuer's key cannot be used: {err}")))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer, &format!("{}/", self.issuer)]);
        match &self.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        validation.leeway = LEEWAY_SECONDS;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        let claims = decode::<Value>(token, &key, &validation)
            .map_err(|err| ApiError::unauthorized(format!("the bearer token is not valid: {err}")))?
            .claims;
        let subject = claims["sub"].as_str().unwrap_or_default().to_owned();
        let name = ["preferred_username", "name", "email"]
            .iter()
            .find_map(|claim| claims[*claim].as_str())
            .map(str::to_owned);
        let role = self.role(&claims).ok_or_else(|| {
            ApiError::forbidden(format!(
                "{subject} has no Causeway role: the token's claim {:?} holds none of viewer, editor, \
                 admin or the values of CAUSEWAY_OIDC_ROLE_MAP",
                self.role_claim
            ))
        })?;
        Ok(Principal { subject, name, role })
    }

    /// The highest role the role claim grants.
    fn role(&self, claims: &Value) -> Option<Role> {
        let claim = self.role_claim.split('.').try_fold(claims, |value, key| value.get(key))?;
        let values: Vec<&str> = match claim {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        values
            .into_iter()
            .filter_map(|value| {
                self.role_map
                    .iter()
                    .find(|(mapped, _)| mapped == value)
                    .map(|(_, role)| *role)
                    .or_else(|| Role::parse(value))
            })
            .max()
    }

    async fn key(&self, kid: Option<&str>) -> ApiResult<Jwk> {
        let mut cache = self.keys.lock().await;
        if let Some(key) = cache.find(kid) {
            return Ok(key);
        }
        if cache.fetched.is_none_or(|at| at.elapsed() >= MIN_REFRESH) {
            let set = self.fetch_keys().await?;
            tracing::info!(issuer = self.issuer, keys = set.keys.len(), "OIDC signing keys fetched");
            cache.set = Some(set);
            cache.fetched = Some(Instant::now());
            if let Some(key) = cache.find(kid) {
                return Ok(key);
            }
        }
        Err(ApiError::unauthorized(format!(
            "the token's signing key {} is not one of the issuer's keys",
            kid.unwrap_or("(no kid)")
        )))
    }

    async fn fetch_keys(&self) -> ApiResult<JwkSet> {
        let discovery: Value = self.get_json(&self.discovery_url()).await?;
        let jwks_uri = discovery["jwks_uri"].as_str().ok_or_else(|| {
            anyhow::anyhow!("the OIDC discovery document of {} has no jwks_uri", self.issuer)
        })?;
        let set: Value = self.get_json(jwks_uri).await?;
        // Keys of types this library does not know (e.g. encryption keys) are skipped, not fatal.
        let keys = set["keys"]
            .as_array()
            .map(|keys| {
                keys.iter().filter_map(|key| serde_json::from_value::<Jwk>(key.clone()).ok()).collect()
            })
            .unwrap_or_default();
        Ok(JwkSet { keys })
    }

    async fn get_json(&self, url: &str) -> ApiResult<Value> {
        self.http
            .get(url)
            .await
            .map_err(|err| anyhow::anyhow!("fetching from the OIDC issuer: {err:#}").into())
    }
}
