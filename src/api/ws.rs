//! `/ws`: change notifications for browsers.
//!
//! One ordered JetStream consumer per api process reads the events stream; every event is sent
//! to every connected socket as `{"seq", "entity", "id", "what", "data"}`, where `seq` is the
//! stream sequence. Sequences are consecutive, so a client that sees a gap (or reconnects and
//! finds `hello.seq` ahead of what it saw) knows it missed something and refetches.
//!
//! Unless authentication is off, a socket needs the same credentials as the API, as an
//! `Authorization` header, a ticket (`/ws?ticket=…` from `POST /api/ws-ticket`, for browsers),
//! or a first message `{"token": "<token>"}` within [`AUTH_TIMEOUT`]. Without them the socket
//! is closed with code [`UNAUTHENTICATED`] and a reason.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use async_nats::jetstream::{self, consumer::DeliverPolicy};
use futures::{SinkExt, StreamExt};
use poem::{
    IntoResponse, Request, handler,
    web::{
        Data,
        websocket::{Message, WebSocket},
    },
};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::{
    api::error::{ApiError, ApiResult},
    auth::{Principal, tickets},
    config::Config,
    events::envelope::CloudEvent,
    state::SharedState,
};

/// Fans events out to the connected sockets.
pub struct Notifier {
    sender: broadcast::Sender<Arc<str>>,
    last_seq: AtomicU64,
    /// True while the feed follows the stream (events committed from then on reach sockets).
    following: tokio::sync::watch::Sender<bool>,
}

impl Notifier {
    pub fn new() -> Arc<Self> {
        let (sender, _) = broadcast::channel(1024);
        let (following, _) = tokio::sync::watch::channel(false);
        Arc::new(Notifier { sender, last_seq: AtomicU64::new(0), following })
    }

    /// Every event from now on, as the text `/ws` sends (other feeds such as Socket.IO).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.sender.subscribe()
    }

    /// Resolves once the feed follows the events stream: events published from then on are
    /// passed on (the consumer starts at new messages).
    pub async fn following(&self) {
        let _ = self.following.subscribe().wait_for(|following| *following).await;
    }

    /// Follows the events stream forever, reconnecting after errors.
    pub async fn follow(self: Arc<Self>, client: async_nats::Client, config: Config) {
        let js = jetstream::new(client);
        loop {
            let result = self.follow_once(&js, &config).await;
            self.following.send_replace(false);
            if let Err(err) = result {
                tracing::warn!(error = %err, "websocket event feed interrupted; retrying");
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }

    async fn follow_once(&self, js: &jetstream::Context, config: &Config) -> anyhow::Result<()> {
        let mut stream = crate::events::bus::ensure_stream(js, config).await?;
        // After an interruption (NATS restarted), go on after the last event passed on: the
        // relay publishes what piled up in the outbox as soon as NATS is back, before this
        // consumer exists again (found by the chaos suite, tests/chaos). A stream that is
        // behind that point is a new one: start from its new events.
        let last = self.last_seq.load(Ordering::Relaxed);
        let stream_last = stream.info().await?.state.last_sequence;
        let deliver_policy = if last == 0 || stream_last < last {
            DeliverPolicy::New
        } else {
            DeliverPolicy::ByStartSequence { start_sequence: last + 1 }
        };
        let consumer = stream
            .create_consumer(jetstream::consumer::pull::OrderedConfig {
                filter_subject: format!("{}.>", config.events_prefix()),
                deliver_policy,
                ..Default::default()
            })
            .await?;
        let mut messages = consumer.messages().await?;
        self.following.send_replace(true);
        while let Some(message) = messages.next().await {
            let message = message?;
            let seq = message.info().map(|i| i.stream_sequence).unwrap_or_default();
            let Ok(event) = serde_json::from_slice::<CloudEvent>(&message.payload) else {
                continue;
            };
            let mut parts = message.subject.as_str().rsplitn(4, '.');
            let what = parts.next().unwrap_or_default().to_owned();
            let id: Value = parts.next().and_then(|i| i.parse::<i64>().ok()).map_or(Value::Null, Value::from);
            let entity = parts.next().unwrap_or_default().to_owned();
            self.last_seq.store(seq, Ordering::Relaxed);
            let text = json!({ "seq": seq, "entity": entity, "id": id, "what": what, "data": event.data })
                .to_string();
            let _ = self.sender.send(Arc::from(text));
        }
        Ok(())
    }
}

/// Close code of a socket without valid credentials (4000–4999: application codes).
pub const UNAUTHENTICATED: u16 = 4401;

/// How long a socket may take to send its token as its first message.
pub const AUTH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How the socket will be authenticated, decided from the upgrade request.
enum Credentials {
    Known(ApiResult<Principal>),
    FirstMessage,
}

async fn credentials(state: &SharedState, request: &Request) -> Credentials {
    if state.auth.mode().is_open() || request.header(poem::http::header::AUTHORIZATION).is_some() {
        return Credentials::Known(state.auth.authenticate(&state.pool, request).await);
    }
    let ticket = request
        .uri()
        .query()
        .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("ticket=")).map(str::to_owned));
    match ticket {
        Some(ticket) => Credentials::Known(match tickets::redeem(&state.pool, &ticket).await {
            Ok(Some(principal)) => Ok(principal),
            Ok(None) => Err(ApiError::unauthorized("the websocket ticket is unknown, used or expired")),
            Err(err) => Err(err.into()),
        }),
        None => Credentials::FirstMessage,
    }
}

/// Reads `{"token": …}` as the first message and checks it.
async fn first_message_credentials(
    state: &SharedState,
    incoming: &mut (impl futures::Stream<Item = std::io::Result<Message>> + Unpin),
) -> ApiResult<Principal> {
    let missing = || {
        ApiError::unauthorized("send credentials: Authorization header, ?ticket=, or {\"token\": …} first")
    };
    let first = tokio::time::timeout(AUTH_TIMEOUT, incoming.next()).await.map_err(|_| missing())?;
    let Some(Ok(Message::Text(text))) = first else {
        return Err(missing());
    };
    let token = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|value| value.get("token").and_then(Value::as_str).map(str::to_owned))
        .ok_or_else(missing)?;
    state.auth.verify(&state.pool, &token).await
}

#[handler]
pub async fn ws(socket: WebSocket, request: &Request, state: Data<&SharedState>) -> impl IntoResponse {
    let state = state.0.clone();
    let notifier = state.notifier.clone();
    let credentials = credentials(&state, request).await;
    socket.on_upgrade(move |socket| async move {
        let (mut sink, mut incoming) = socket.split();
        let principal = match credentials {
            Credentials::Known(result) => result,
            Credentials::FirstMessage => first_message_credentials(&state, &mut incoming).await,
        };
        match principal {
            // Every role may read, so any authenticated caller may listen.
            Ok(principal) => tracing::debug!(subject = principal.subject, "websocket opened"),
            Err(err) => {
                let reason = err.message().as_str().unwrap_or("not authenticated").to_owned();
                tracing::info!(reason, "websocket refused");
                let _ = sink.send(Message::Close(Some((UNAUTHENTICATED.into(), reason)))).await;
                return;
            }
        }
        let mut events = notifier.sender.subscribe();
        let hello = json!({ "hello": true, "seq": notifier.last_seq.load(Ordering::Relaxed) }).to_string();
        if sink.send(Message::Text(hello)).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(text) => {
                        if sink.send(Message::Text(text.to_string())).await.is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        let resync = json!({ "resync": true, "missed": missed }).to_string();
                        if sink.send(Message::Text(resync)).await.is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                incoming = incoming.next() => match incoming {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                },
            }
        }
    })
}
