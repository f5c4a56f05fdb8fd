//! One startup path for the HTTP server, used by `main` and by the tests.

use std::{net::SocketAddr, path::Path};

use poem::{
    Endpoint, EndpointExt, IntoEndpoint, IntoResponse, Route, Server,
    endpoint::StaticFilesEndpoint,
    get, handler,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
    web::Data,
};

use crate::{
    api::{self, error::json_errors},
    state::SharedState,
};

/// Which routes a process serves (docs/security.md, "Roles that are really separate").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serves {
    /// `up` and `api`: the REST API, the websocket, the frontend, and the executor routes.
    Everything,
    /// `collector`: only the executor routes, called with a job's token (`/t/<token>/api/…`).
    ExecutorRoutes,
    /// `scheduler`: nothing but health and metrics.
    HealthOnly,
}

/// The routes executors call, by method and path under `/api` (with or without the prefix:
/// inside the `/api` nest poem has already removed it).
fn is_executor_route(method: &poem::http::Method, path: &str) -> bool {
    use poem::http::Method;
    let path = path.trim_start_matches('/');
    let segments: Vec<&str> = path.strip_prefix("api/").unwrap_or(path).split('/').collect();
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match (method, segments.as_slice()) {
        (&Method::GET, ["dataset", id, "load" | "loadwithids"]) => number(id),
        (&Method::POST, ["dataset", id, "ground-truth"]) => number(id),
        (&Method::POST, ["job", id, "result"]) => number(id),
        (&Method::PUT, ["job", id]) | (&Method::PUT, ["job", id, "dataset_generation"]) => number(id),
        _ => false,
    }
}

/// The collector's gate: a job token in the path and an executor route, or 404.
async fn executor_routes_only(request: poem::Request) -> poem::Result<poem::Request> {
    let presented = request.extensions().get::<crate::collector::token::Presented>().is_some();
    if presented && is_executor_route(request.method(), request.uri().path()) {
        return Ok(request);
    }
    Err(crate::api::error::ApiError::NotFound(poem_openapi::payload::Json(crate::api::error::ErrorBody {
        message: "This is the collector: it serves only the executor routes, under /t/<job token>/api/…"
            .into(),
    }))
    .into())
}

/// The HTTP routes a process serves: the REST API, its OpenAPI document and Swagger UI, health
/// checks and the built frontend (when present), or the part of them its role needs.
pub fn routes(state: SharedState) -> impl poem::Endpoint {
    routes_serving(state, Serves::Everything)
}

pub fn routes_serving(state: SharedState, serves: Serves) -> impl poem::Endpoint {
    let health =
        Route::new().at("/metrics", get(metrics)).at("/healthz", get(healthz)).at("/readyz", get(readyz));
    let route = match serves {
        Serves::HealthOnly => health,
        Serves::ExecutorRoutes => {
            health.nest("/api", json_errors(api::service().into_endpoint().before(executor_routes_only)))
        }
        Serves::Everything => full_routes(&state, health),
    };
    route.before(crate::collector::token::strip_token_prefix).data(state).around(
        |endpoint, request| async move {
            use tracing::Instrument;
            let started = std::time::Instant::now();
            let method = request.method().to_string();
            let trace_id = crate::telemetry::trace_id(request.headers());
            let path = crate::telemetry::loggable_path(request.uri().path());
            let span = tracing::info_span!("request", %trace_id, %method, %path);
            let mut response =
                crate::auth::actor::scope(endpoint.get_response(request)).instrument(span.clone()).await;
            let status = response.status().as_u16();
            let took = started.elapsed();
            span.in_scope(|| tracing::info!(status, duration_ms = took.as_secs_f64() * 1000.0, "response"));
            crate::metrics::global().http_request(&method, status, took);
            if let Ok(value) = trace_id.parse() {
                response.headers_mut().insert("x-trace-id", value);
            }
            Ok(response)
        },
    )
}

fn full_routes(state: &SharedState, health: Route) -> Route {
    let service = api::service();
    let spec = service.spec_endpoint();
    let spec_again = service.spec_endpoint();
    let swagger = service.swagger_ui();
    let frontend_dir = state.config.frontend_dir.clone();
    let mut route = health
        .nest("/api", json_errors(service.into_endpoint()))
        .at("/api/openapi.json", spec)
        .at(crate::auth::extract::OIDC_DISCOVERY_PATH, get(crate::api::auth::openid_configuration))
        .at("/swagger.json", spec_again)
        .nest("/swagger", swagger)
        .at("/ws", get(crate::api::ws::ws));
    if state.config.socketio {
        route = route.nest_no_strip(crate::api::socketio::PATH, crate::api::socketio::endpoint(state));
    }
    if Path::new(&frontend_dir).join("index.html").exists() {
        route = route
            .nest("/", StaticFilesEndpoint::new(frontend_dir).index_file("index.html").fallback_to_index());
    }
    route
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers and NATS is connected.
#[handler]
async fn readyz(state: Data<&SharedState>) -> poem::Response {
    if let Err(err) = sqlx::query("SELECT 1").execute(&state.pool).await {
        return format!("database unreachable: {err}")
            .with_status(StatusCode::SERVICE_UNAVAILABLE)
            .into_response();
    }
    match state.nats.connection_state() {
        async_nats::connection::State::Connected => "ready".into_response(),
        other => format!("NATS not connected: {other:?}")
            .with_status(StatusCode::SERVICE_UNAVAILABLE)
            .into_response(),
    }
}

/// Prometheus metrics.
#[handler]
async fn metrics(state: Data<&SharedState>) -> poem::Response {
    match crate::metrics::global().render(&state.pool).await {
        Ok(text) => text.with_content_type("text/plain; version=0.0.4").into_response(),
        Err(err) => {
            format!("metrics unavailable: {err}").with_status(StatusCode::SERVICE_UNAVAILABLE).into_response()
        }
    }
}

/// A bound, not yet running HTTP server.
pub struct App {
    acceptor: TcpAcceptor,
    address: SocketAddr,
    state: SharedState,
    serves: Serves,
}

impl App {
    /// Binds the listen address from the configuration (port 0 picks a free port).
    pub async fn bind(state: SharedState) -> anyhow::Result<App> {
        let acceptor = TcpListener::bind(state.config.listen).into_acceptor().await?;
        let address = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .ok_or_else(|| anyhow::anyhow!("the listener has no TCP address"))?;
        Ok(App { acceptor, address, state, serves: Serves::Everything })
    }

    /// Serve only what a role needs (`collector`, `scheduler`).
    pub fn serving(self, serves: Serves) -> App {
        App { serves, ..self }
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The same listener with other state (tests point executors at the bound address).
    pub fn from_parts(app: App, state: SharedState) -> App {
        App { state, ..app }
    }

    /// Serves until `shutdown` resolves.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        tracing::info!(address = %self.address, "HTTP server listening");
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(
                routes_serving(self.state, self.serves),
                shutdown,
                Some(std::time::Duration::from_secs(10)),
            )
            .await?;
        Ok(())
    }
}

/// Background work every role runs: the outbox relay (safe in several processes: rows are
/// claimed with SKIP LOCKED and deduplicated by JetStream) and the websocket event feed.
pub fn spawn_event_tasks(state: &SharedState) {
    let relay =
        crate::events::relay::Relay::new(state.pool.clone(), state.nats.clone(), state.config.clone());
    tokio::spawn(relay.run());
    tokio::spawn(state.notifier.clone().follow(state.nats.clone(), state.config.clone()));
}

/// Starts the scheduler with the configured launcher.
pub async fn spawn_scheduler(
    state: &SharedState,
) -> anyhow::Result<std::sync::Arc<crate::scheduler::Scheduler>> {
    let launcher = crate::launcher::from_config(&state.config).await?;
    let scheduler = crate::scheduler::Scheduler::new(state.pool.clone(), launcher, state.config.clone());
    tokio::spawn(scheduler.clone().run(Some(state.nats.clone())));
    Ok(scheduler)
}
