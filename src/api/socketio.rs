//! `/socket.io`: MPCSL's real-time events, so MPCSL's UI works against Causeway.
//!
//! MPCSL's backend is a python-socketio server (Engine.IO v4, Socket.IO protocol v5) that
//! broadcasts `dataset`, `experiment` and `job` events, each with one small JSON object, to every
//! client of the default namespace; clients only refetch over REST when they hear one. Causeway
//! serves the same with socketioxide, fed from the same lifecycle events as `/ws` (the
//! [`Notifier`](super::ws::Notifier)); [`mpcsl_events`] is the translation.
//!
//! Mounting: socketioxide is a tower service, and poem's `TowerCompatExt` serves its polling
//! transport. A websocket upgrade cannot go that way (poem keeps the connection's upgrade in its
//! own request state, which the conversion to an `http::Request` drops), so for an upgrade this
//! endpoint answers the `101` itself and hands the upgraded connection to socketioxide's
//! "already upgraded stream" service, which speaks Engine.IO over it.
//!
//! Unless authentication is off, a client must present an API token (or an OIDC token) as the
//! Socket.IO `auth` payload `{"token": …}`, a one-use ticket from `POST /api/ws-ticket` as
//! `?ticket=…`, or an `Authorization: Bearer` header; otherwise its connection to the namespace
//! is refused with a `connect_error` naming what is missing.

use std::{fmt, sync::Arc};

use poem::{
    Endpoint, EndpointExt, Request, Response,
    endpoint::{BoxEndpoint, TowerCompatExt},
    http::{StatusCode, header},
};
use serde::Deserialize;
use serde_json::{Value, json};
use socketioxide::{
    SocketIo,
    extract::{SocketRef, TryData},
    handler::ConnectHandler,
};
use tokio::sync::broadcast;
use tower_service::Service;

use crate::{
    api::error::{ApiError, ApiResult},
    auth::{Principal, tickets},
    state::SharedState,
};

/// Where MPCSL's clients look for it (`io()` in the browser: the default path).
pub const PATH: &str = "/socket.io";

/// The Socket.IO endpoint, mounted at [`PATH`] without stripping the prefix (socketioxide
/// matches the whole path). Starts the task that forwards events to the connected clients.
pub fn endpoint(state: &SharedState) -> impl Endpoint<Output = Response> + 'static {
    let (service, io) = SocketIo::builder().req_path(PATH).build_svc();
    let auth_state = state.clone();
    let authenticate = move |socket: SocketRef, TryData(auth): TryData<AuthPayload>| {
        let state = auth_state.clone();
        async move { authenticate(&state, &socket, auth.ok().and_then(|a| a.token)).await }
    };
    io.ns("/", connected.with(authenticate));
    tokio::spawn(forward(state.notifier.subscribe(), io));
    SocketIoEndpoint { polling: service.clone().compat().boxed(), service }
}

/// MPCSL's clients send nothing after connecting: events only go out.
async fn connected(socket: SocketRef) {
    tracing::debug!(sid = %socket.id, "Socket.IO client connected");
}

/// The Socket.IO `auth` payload a client may send with its connection.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuthPayload {
    token: Option<String>,
}

/// Why a connection was refused; its text reaches the client in `connect_error`.
#[derive(Debug)]
pub struct Refused(String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

async fn authenticate(state: &SharedState, socket: &SocketRef, token: Option<String>) -> Result<(), Refused> {
    if state.auth.mode().is_open() {
        return Ok(());
    }
    match credentials(state, socket, token).await {
        // Every role may read, so any authenticated caller may listen.
        Ok(principal) => {
            tracing::debug!(subject = principal.subject, "Socket.IO client authenticated");
            Ok(())
        }
        Err(err) => {
            let reason = err.message().as_str().unwrap_or("not authenticated").to_owned();
            tracing::info!(reason, "Socket.IO connection refused");
            Err(Refused(reason))
        }
    }
}

async fn credentials(state: &SharedState, socket: &SocketRef, token: Option<String>) -> ApiResult<Principal> {
    if let Some(token) = token {
        return state.auth.verify(&state.pool, &token).await;
    }
    let parts = socket.req_parts();
    let ticket = parts
        .uri
        .query()
        .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("ticket=")).map(str::to_owned));
    if let Some(ticket) = ticket {
        return match tickets::redeem(&state.pool, &ticket).await {
            Ok(Some(principal)) => Ok(principal),
            Ok(None) => Err(ApiError::unauthorized("the websocket ticket is unknown, used or expired")),
            Err(err) => Err(err.into()),
        };
    }
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, credential)| credential.trim().to_owned());
    match bearer {
        Some(credential) => state.auth.verify(&state.pool, &credential).await,
        None => Err(ApiError::unauthorized(
            "send credentials: the auth payload {\"token\": …}, ?ticket= (POST /api/ws-ticket), \
             or Authorization: Bearer",
        )),
    }
}

/// Translates Causeway's events (as `/ws` sends them) into MPCSL's and broadcasts them.
async fn forward(mut events: broadcast::Receiver<Arc<str>>, io: SocketIo) {
    loop {
        match events.recv().await {
            Ok(text) => {
                let Ok(event) = serde_json::from_str::<Value>(&text) else { continue };
                for (name, payload) in mpcsl_events(&event) {
                    if let Err(err) = io.emit(name, &payload).await {
                        tracing::debug!(error = %err, event = name, "Socket.IO broadcast failed");
                    }
                }
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                // MPCSL's clients have no way to notice a gap; they catch up on the next event.
                tracing::warn!(missed, "the Socket.IO feed fell behind the events stream");
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// MPCSL's events for one of Causeway's (`{"entity", "id", "what", "data"}`, as on `/ws`),
/// in the order they are sent (shared spec: websocket-events, "Event catalogue").
///
/// - dataset and experiment changes: `dataset {id}` / `experiment {id}`;
/// - a job inserted or deleted: `job {id}`;
/// - the scheduler's news (started, a failure with a code -1/-2/-127, MPCSL's `POST
///   /api/job/{id}` notification) and every change of a dataset-generation job: `job {id,
///   error_code}` — snake case, the key MPCSL's UI raises failure notices from;
/// - any other change of an experiment job (result stored, error reported, cancelled, hidden,
///   retrying): `job {id, errorCode}`;
/// - every event of an experiment job is followed by `experiment {experiment_id}`.
///
/// Results have no event of their own: the job's `succeeded` covers them.
pub fn mpcsl_events(event: &Value) -> Vec<(&'static str, Value)> {
    let id = &event["id"];
    let what = event["what"].as_str().unwrap_or_default();
    let data = &event["data"];
    match event["entity"].as_str() {
        Some("dataset") => vec![("dataset", json!({ "id": id }))],
        Some("experiment") => vec![("experiment", json!({ "id": id }))],
        Some("job") => {
            let error_code = &data["error_code"];
            let generation = data["type"] == "dataset_generation_job";
            let job = match what {
                "created" | "deleted" => json!({ "id": id }),
                "started" | "notified" => json!({ "id": id, "error_code": error_code }),
                "failed" if !error_code.is_null() => json!({ "id": id, "error_code": error_code }),
                _ if generation => json!({ "id": id, "error_code": error_code }),
                _ => json!({ "id": id, "errorCode": error_code }),
            };
            let mut events = vec![("job", job)];
            if let Some(experiment_id) = data["experiment_id"].as_i64() {
                events.push(("experiment", json!({ "id": experiment_id })));
            }
            events
        }
        _ => vec![],
    }
}

/// Socket.IO over both transports (see the module comment for why an upgrade is special).
struct SocketIoEndpoint<S> {
    /// socketioxide's service for connections already upgraded to websockets.
    service: S,
    /// The same service behind poem's tower adapter, for everything else (polling).
    polling: BoxEndpoint<'static, Response>,
}

fn is_websocket_upgrade(request: &Request) -> bool {
    request.header(header::UPGRADE).is_some_and(|value| value.eq_ignore_ascii_case("websocket"))
}

fn bad_request(message: &str) -> poem::Error {
    poem::Error::from_string(message, StatusCode::BAD_REQUEST)
}

impl<S> Endpoint for SocketIoEndpoint<S>
where
    S: Service<(poem::Upgraded, poem::http::Request<()>), Response = ()> + Clone + Send + Sync + 'static,
    S::Error: fmt::Display,
    S::Future: Send,
{
    type Output = Response;

    async fn call(&self, request: Request) -> poem::Result<Response> {
        if !is_websocket_upgrade(&request) {
            return self.polling.call(request).await;
        }
        if request.header(header::SEC_WEBSOCKET_VERSION) != Some("13") {
            return Err(bad_request("a websocket upgrade needs Sec-WebSocket-Version: 13"));
        }
        let Some(key) = request.header(header::SEC_WEBSOCKET_KEY) else {
            return Err(bad_request("a websocket upgrade needs a Sec-WebSocket-Key"));
        };
        let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
        let on_upgrade =
            request.take_upgrade().map_err(|_| bad_request("this connection cannot be upgraded"))?;
        let mut head = poem::http::Request::new(());
        *head.method_mut() = request.method().clone();
        *head.uri_mut() = request.original_uri().clone();
        *head.version_mut() = request.version();
        *head.headers_mut() = request.headers().clone();
        let mut service = self.service.clone();
        tokio::spawn(async move {
            let stream = match on_upgrade.await {
                Ok(stream) => stream,
                Err(err) => return tracing::debug!(error = %err, "Socket.IO websocket upgrade failed"),
            };
            // The stream service is always ready (it only spawns the connection's task).
            if let Err(err) = service.call((stream, head)).await {
                tracing::debug!(error = %err, "Socket.IO websocket request refused");
            }
        });
        Ok(Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(header::UPGRADE, "websocket")
            .header(header::CONNECTION, "Upgrade")
            .header(header::SEC_WEBSOCKET_ACCEPT, accept)
            .finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(entity: &str, id: i64, what: &str, data: Value) -> Value {
        json!({ "seq": 1, "entity": entity, "id": id, "what": what, "data": data })
    }

    fn job(what: &str, job_type: &str, error_code: Value, experiment_id: Value) -> Value {
        event(
            "job",
            7,
            what,
            json!({ "id": 7, "type": job_type, "status": "running", "error_code": error_code,
                    "experiment_id": experiment_id, "dataset_id": 3 }),
        )
    }

    #[test]
    fn datasets_and_experiments_are_named_by_their_id() {
        assert_eq!(
            mpcsl_events(&event("dataset", 3, "created", json!({"id": 3}))),
            [("dataset", json!({"id": 3}))]
        );
        assert_eq!(
            mpcsl_events(&event("experiment", 4, "deleted", json!({"id": 4}))),
            [("experiment", json!({"id": 4}))]
        );
        assert!(mpcsl_events(&event("result", 5, "stored", json!({"id": 5}))).is_empty());
    }

    #[test]
    fn experiment_jobs_use_the_key_mpcsl_uses_for_each_change_and_name_their_experiment() {
        let experiment = ("experiment", json!({"id": 2}));
        let cases = [
            ("created", Value::Null, json!({"id": 7})),
            ("started", Value::Null, json!({"id": 7, "error_code": null})),
            ("failed", json!(-2), json!({"id": 7, "error_code": -2})),
            ("failed", Value::Null, json!({"id": 7, "errorCode": null})),
            ("succeeded", Value::Null, json!({"id": 7, "errorCode": null})),
            ("cancelled", Value::Null, json!({"id": 7, "errorCode": null})),
        ];
        for (what, code, payload) in cases {
            assert_eq!(
                mpcsl_events(&job(what, "experiment_job", code, json!(2))),
                [("job", payload), experiment.clone()],
                "{what}"
            );
        }
    }

    #[test]
    fn generation_jobs_always_carry_error_code_and_no_experiment() {
        for what in ["started", "succeeded", "failed"] {
            assert_eq!(
                mpcsl_events(&job(what, "dataset_generation_job", Value::Null, Value::Null)),
                [("job", json!({"id": 7, "error_code": null}))],
                "{what}"
            );
        }
    }
}
