//! The outbox relay: publishes committed events to JetStream, oldest first.
//!
//! Rows are claimed with `FOR UPDATE SKIP LOCKED`, published with `Nats-Msg-Id` = outbox id (so
//! a row published twice after a crash is dropped by the stream's duplicate window) and stamped
//! `published_at` in the same transaction. A `NOTIFY` from the outbox trigger wakes the relay at
//! commit time (or [`wake`], from a writer in this process that skipped the `NOTIFY`); a
//! one-second poll covers a lost notification. While NATS is unreachable the
//! rows stay unpublished and are retried with back-off.

use std::time::Duration;

use async_nats::{HeaderMap, jetstream};
use chrono::{DateTime, Utc};
use futures::future::try_join_all;
use serde_json::Value;
use sqlx::{PgPool, postgres::PgListener};

use super::envelope::CloudEvent;
use crate::config::Config;

const BATCH: i64 = 500;

/// Wakes the relays of this process: [`wake`].
static LOCAL_WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Wakes this process's relays after a commit whose outbox rows sent no `NOTIFY`
/// (see [`super::outbox`]). Every role runs a relay, so the events leave as fast as
/// notified ones; relays of other processes find them at their next drain or poll.
pub fn wake() {
    LOCAL_WAKE.notify_waiters();
}

pub struct Relay {
    pool: PgPool,
    js: jetstream::Context,
    config: Config,
}

/// id, subject, event type, payload, creation time, actor.
type OutboxRow = (i64, String, String, Value, DateTime<Utc>, Option<String>);

impl Relay {
    pub fn new(pool: PgPool, client: async_nats::Client, config: Config) -> Self {
        Relay { pool, js: jetstream::new(client), config }
    }

    /// Publishes one batch of unpublished events; returns how many were published.
    pub async fn publish_batch(&self) -> anyhow::Result<usize> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT id, subject, event_type, payload, created_at, actor FROM outbox \
             WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        )
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let prefix = self.config.events_prefix();
        let mut acks = Vec::with_capacity(rows.len());
        for (id, subject, event_type, payload, created_at, actor) in &rows {
            let envelope = CloudEvent::from_outbox(
                *id,
                subject,
                event_type,
                payload.clone(),
                *created_at,
                actor.clone(),
            );
            let mut headers = HeaderMap::new();
            headers.insert("Nats-Msg-Id", id.to_string().as_str());
            headers.insert("Content-Type", "application/cloudevents+json");
            let ack = self
                .js
                .publish_with_headers(
                    format!("{prefix}.{subject}"),
                    headers,
                    serde_json::to_vec(&envelope)?.into(),
                )
                .await?;
            acks.push(ack.into_future());
        }
        try_join_all(acks).await?;
        let ids: Vec<i64> = rows.iter().map(|row| row.0).collect();
        sqlx::query("UPDATE outbox SET published_at = now() WHERE id = ANY($1)")
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::debug!(count = ids.len(), "events published");
        Ok(ids.len())
    }

    /// Publishes until nothing is left.
    pub async fn drain(&self) -> anyhow::Result<usize> {
        let mut total = 0;
        loop {
            let published = self.publish_batch().await?;
            total += published;
            if published < BATCH as usize {
                return Ok(total);
            }
        }
    }

    /// Runs forever: drain, then wait for a NOTIFY or the poll interval.
    pub async fn run(self) {
        let mut listener = match PgListener::connect_with(&self.pool).await {
            Ok(mut listener) => match listener.listen("causeway_outbox").await {
                Ok(()) => Some(listener),
                Err(err) => {
                    tracing::warn!(error = %err, "outbox relay cannot LISTEN; polling only");
                    None
                }
            },
            Err(err) => {
                tracing::warn!(error = %err, "outbox relay cannot LISTEN; polling only");
                None
            }
        };
        let mut stream_ready = false;
        let mut backoff = Duration::from_millis(100);
        loop {
            if !stream_ready {
                match super::bus::ensure_stream(&self.js, &self.config).await {
                    Ok(_) => stream_ready = true,
                    Err(err) => tracing::warn!(error = %err, "events stream not ready"),
                }
            }
            // Registered before draining, so a wake during the drain is not lost.
            let woken = LOCAL_WAKE.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let wait = if !stream_ready {
                backoff
            } else {
                match self.drain().await {
                    Ok(_) => {
                        backoff = Duration::from_millis(100);
                        Duration::from_secs(1)
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, retry_in = ?backoff, "publishing events failed");
                        backoff
                    }
                }
            };
            backoff = (backoff * 2).min(Duration::from_secs(5));
            match listener.as_mut() {
                Some(listener) => {
                    let _ = tokio::time::timeout(wait, async {
                        tokio::select! {
                            _ = listener.recv() => {}
                            _ = &mut woken => {}
                        }
                    })
                    .await;
                }
                None => {
                    let _ = tokio::time::timeout(wait, &mut woken).await;
                }
            }
        }
    }
}
