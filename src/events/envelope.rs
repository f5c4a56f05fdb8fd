//! CloudEvents 1.0 JSON envelopes (structured mode) for published events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const SOURCE: &str = "causeway";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudEvent {
    pub specversion: String,
    /// The outbox id: unique per event and the JetStream `Nats-Msg-Id`.
    pub id: String,
    pub source: String,
    /// `io.causeway.<entity>.<what>`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub time: String,
    /// `<entity>/<id>`.
    pub subject: String,
    pub datacontenttype: String,
    /// Extension attribute: the subject of the caller whose request caused the event
    /// (`anonymous` while authentication is off); absent for Causeway's own changes
    /// (the scheduler's launches and failures, the seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    pub data: Value,
}

impl CloudEvent {
    /// Builds the envelope of an outbox row (`relative_subject` is `<entity>.<id>.<what>`).
    pub fn from_outbox(
        id: i64,
        relative_subject: &str,
        event_type: &str,
        data: Value,
        time: DateTime<Utc>,
        actor: Option<String>,
    ) -> Self {
        let mut parts = relative_subject.splitn(3, '.');
        let entity = parts.next().unwrap_or_default();
        let entity_id = parts.next().unwrap_or_default();
        CloudEvent {
            specversion: "1.0".into(),
            id: id.to_string(),
            source: SOURCE.into(),
            event_type: event_type.to_owned(),
            time: time.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            subject: format!("{entity}/{entity_id}"),
            datacontenttype: "application/json".into(),
            actor,
            data,
        }
    }
}
