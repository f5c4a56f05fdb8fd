//! `oidc` mode against an in-process issuer: a discovery document, a JWKS that can rotate, and
//! tokens signed with the keys in tests/fixtures/oidc (no network).

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use causeway::{
    auth::{Role, tokens},
    config::{AuthMode, RoleMap},
};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use poem::{EndpointExt, Route, get, handler, listener::TcpListener, web::Data};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, expect_json, spawn_app_with};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/oidc");
const AUDIENCE: &str = "causeway-api";

/// The issuer's published keys and how often they were fetched.
#[derive(Clone, Default)]
struct Published {
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
    base: Arc<Mutex<String>>,
}

#[handler]
fn discovery(published: Data<&Published>) -> poem::web::Json<Value> {
    let base = published.base.lock().unwrap().clone();
    poem::web::Json(json!({"issuer": base, "jwks_uri": format!("{base}/jwks"),
                           "authorization_endpoint": format!("{base}/auth"), "token_endpoint": format!("{base}/token")}))
}

#[handler]
fn jwks(published: Data<&Published>) -> poem::web::Json<Value> {
    published.fetches.fetch_add(1, Ordering::SeqCst);
    poem::web::Json(json!({"keys": *published.keys.lock().unwrap()}))
}

fn jwk(n: u8) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{FIXTURES}/jwk{n}.json")).unwrap()).unwrap()
}

struct Issuer {
    url: String,
    published: Published,
}

impl Issuer {
    async fn start() -> Issuer {
        let published = Published::default();
        published.keys.lock().unwrap().push(jwk(1));
        let acceptor =
            poem::listener::Listener::into_acceptor(TcpListener::bind("127.0.0.1:0")).await.unwrap();
        let address = poem::listener::Acceptor::local_addr(&acceptor)[0].as_socket_addr().copied().unwrap();
        let url = format!("http://{address}/realms/causeway");
        *published.base.lock().unwrap() = url.clone();
        let routes = Route::new()
            .at("/realms/causeway/.well-known/openid-configuration", get(discovery))
            .at("/realms/causeway/jwks", get(jwks))
            .data(published.clone());
        tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(routes));
        Issuer { url, published }
    }

    /// A token signed with key `n`, with these claims over sensible defaults.
    fn token(&self, n: u8, claims: Value) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut all = json!({"iss": self.url, "aud": AUDIENCE, "sub": "user-1", "preferred_username": "alice",
                             "exp": now + 300, "iat": now, "realm_access": {"roles": ["causeway-editors"]}});
        for (key, value) in claims.as_object().unwrap() {
            all[key] = value.clone();
        }
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(format!("key-{n}"));
        let pem = std::fs::read(format!("{FIXTURES}/key{n}.pem")).unwrap();
        encode(&header, &all, &EncodingKey::from_rsa_pem(&pem).unwrap()).unwrap()
    }
}

async fn oidc_app(issuer: &Issuer) -> TestApp {
    let url = issuer.url.clone();
    spawn_app_with(move |config| {
        config.auth = Some(AuthMode::Oidc);
        config.oidc_issuer = Some(url);
        config.oidc_audience = Some(AUDIENCE.into());
        config.oidc_role_claim = "realm_access.roles".into();
        config.oidc_role_map = RoleMap(vec![("causeway-editors".into(), "editor".into())]);
        config.oidc_client_id = Some("causeway-ui".into());
    })
    .await
}

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    Client::new().get(app.url("/api/auth/me")).bearer_auth(token).send().await.unwrap()
}

#[tokio::test]
async fn tokens_of_the_issuer_authenticate_with_the_mapped_role() {
    let issuer = Issuer::start().await;
    let app = oidc_app(&issuer).await;
    let config = expect_json(app.get("/api/auth/config").await, StatusCode::OK).await;
    assert_eq!(
        config,
        json!({"mode": "oidc", "oidc": {"issuer": issuer.url, "client_id": "causeway-ui", "scope": "openid profile email"}})
    );
    let who = expect_json(me(&app, &issuer.token(1, json!({}))).await, StatusCode::OK).await;
    assert_eq!(who, json!({"subject": "user-1", "name": "alice", "role": "editor", "mode": "oidc"}));
    // The plain role names work without a map; the highest role wins.
    let admin = issuer.token(1, json!({"realm_access": {"roles": ["viewer", "admin"]}}));
    assert_eq!(expect_json(me(&app, &admin).await, StatusCode::OK).await["role"], "admin");
    // A role too low for the operation: 403.
    let viewer = issuer.token(1, json!({"realm_access": {"roles": ["viewer"]}}));
    let refused = Client::new()
        .post(app.url("/api/datasets"))
        .bearer_auth(&viewer)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_error(refused, StatusCode::FORBIDDEN).await;
    // No Causeway role at all: 403 naming the claim.
    let nobody = issuer.token(1, json!({"realm_access": {"roles": ["offline_access"]}}));
    let message = expect_error(me(&app, &nobody).await, StatusCode::FORBIDDEN).await;
    assert!(message.as_str().unwrap().contains("realm_access.roles"), "{message}");
    // API tokens work in oidc mode too (services, CI).
    let (_, secret) = tokens::create(&app.pool, "ci", Role::Viewer, None, "test").await.unwrap();
    assert_eq!(expect_json(me(&app, &secret).await, StatusCode::OK).await["subject"], "ci");
    // The document's openIdConnectUrl leads to the issuer.
    let redirect = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = redirect.get(app.url("/api/auth/openid-configuration")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], format!("{}/.well-known/openid-configuration", issuer.url));
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_answer_401() {
    let issuer = Issuer::start().await;
    let app = oidc_app(&issuer).await;
    let now = chrono::Utc::now().timestamp();
    let cases = [
        ("expired", issuer.token(1, json!({"exp": now - 3600, "iat": now - 7200}))),
        ("another audience", issuer.token(1, json!({"aud": "someone-else"}))),
        ("another issuer", issuer.token(1, json!({"iss": "http://127.0.0.1:1/realms/evil"}))),
        ("no subject", issuer.token(1, json!({"sub": null}))),
        ("a key the issuer never published", issuer.token(2, json!({}))),
    ];
    for (what, token) in cases {
        assert_eq!(me(&app, &token).await.status(), StatusCode::UNAUTHORIZED, "{what}");
    }
    // HMAC with the public key as secret, and `alg: none`: never accepted.
    let claims = json!({"iss": issuer.url, "aud": AUDIENCE, "sub": "mallory", "exp": now + 300,
                        "realm_access": {"roles": ["admin"]}});
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("key-1".into());
    let hmac = encode(
        &header,
        &claims,
        &EncodingKey::from_secret(jwk(1)["n"].as_str().unwrap().as_bytes()).unwrap(),
    )
    .unwrap();
    let message = expect_error(me(&app, &hmac).await, StatusCode::UNAUTHORIZED).await;
    assert!(message.as_str().unwrap().contains("HS256"), "{message}");
    let unsigned = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.", b64.encode(r#"{"alg":"none","typ":"JWT"}"#), b64.encode(claims.to_string()))
    };
    expect_error(me(&app, &unsigned).await, StatusCode::UNAUTHORIZED).await;
    // A tampered payload fails the signature.
    let good = issuer.token(1, json!({}));
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut payload: Value = serde_json::from_slice(&b64.decode(&parts[1]).unwrap()).unwrap();
        payload["realm_access"]["roles"] = json!(["admin"]);
        b64.encode(payload.to_string())
    };
    expect_error(me(&app, &parts.join(".")).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_rotated_key_is_fetched_when_a_token_names_it() {
    let issuer = Issuer::start().await;
    let app = oidc_app(&issuer).await;
    expect_json(me(&app, &issuer.token(1, json!({}))).await, StatusCode::OK).await;
    expect_json(me(&app, &issuer.token(1, json!({}))).await, StatusCode::OK).await;
    assert_eq!(issuer.published.fetches.load(Ordering::SeqCst), 1, "keys are cached");
    // The issuer rotates to key 2 and drops key 1.
    *issuer.published.keys.lock().unwrap() = vec![jwk(2)];
    let rotated = issuer.token(2, json!({}));
    crate::helpers::eventually("the new key is accepted", || async {
        me(&app, &rotated).await.status() == StatusCode::OK
    })
    .await;
    assert!(issuer.published.fetches.load(Ordering::SeqCst) >= 2);
    // Tokens of the dropped key: refused once the cache no longer has it.
    expect_error(me(&app, &issuer.token(1, json!({}))).await, StatusCode::UNAUTHORIZED).await;
}
