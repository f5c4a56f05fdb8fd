//! `/ws`: change notifications for browsers.
//!
//! One ordered JetStream consumer per api process reads the events stream; every event is sent
//! to every connected socket as `{"seq", "entity", "id", "what", "data"}`, where `seq` is the
//! stream sequence. Sequences are consecutive, so a client that sees a gap (or reconnects and
//! finds `hello.seq` ahead of what it saw) knows it missed something and refetches.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use async_nats::jetstream::{self, consumer::DeliverPolicy};
use futures::{SinkExt, StreamExt};
use poem::{
    IntoResponse, handler,
    web::{
        Data,
        websocket::{Message, WebSocket},
    },
};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::{config::Config, events::envelope::CloudEvent, state::SharedState};

/// Fans events out to the connected sockets.
pub struct Notifier {
    sender: broadcast::Sender<Arc<str>>,
    last_seq: AtomicU64,
}

impl Notifier {
    pub fn new() -> Arc<Self> {
        let (sender, _) = broadcast::channel(1024);
        Arc::new(Notifier { sender, last_seq: AtomicU64::new(0) })
    }

    /// Follows the events stream forever, reconnecting after errors.
    pub async fn follow(self: Arc<Self>, client: async_nats::Client, config: Config) {
        let js = jetstream::new(client);
        loop {
            if let Err(err) = self.follow_once(&js, &config).await {
                tracing::warn!(error = %err, "websocket event feed interrupted; retrying");
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }

    async fn follow_once(&self, js: &jetstream::Context, config: &Config) -> anyhow::Result<()> {
        let stream = crate::events::bus::ensure_stream(js, config).await?;
        let consumer = stream
            .create_consumer(jetstream::consumer::pull::OrderedConfig {
                filter_subject: format!("{}.>", config.events_prefix()),
                deliver_policy: DeliverPolicy::New,
                ..Default::default()
            })
            .await?;
        let mut messages = consumer.messages().await?;
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

#[handler]
pub async fn ws(socket: WebSocket, state: Data<&SharedState>) -> impl IntoResponse {
    let notifier = state.notifier.clone();
    socket.on_upgrade(move |socket| async move {
        let (mut sink, mut incoming) = socket.split();
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
