//! Lifecycle events: what they are called, how they are stored and how they leave.
//!
//! Every state change inserts an [`Event`] into the `outbox` table in the transaction that makes
//! the change (`outbox`); the relay publishes committed rows to JetStream (`relay`). Subjects are
//! `<prefix>.<entity>.<id>.<what>`, with prefix `causeway.events` by default (docs/events.md).

pub mod bus;
pub mod envelope;
pub mod outbox;
pub mod relay;

use serde_json::Value;

/// The kinds of objects events are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Job,
    Experiment,
    Dataset,
    Result,
    Study,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Job => "job",
            Entity::Experiment => "experiment",
            Entity::Dataset => "dataset",
            Entity::Result => "result",
            Entity::Study => "study",
        }
    }
}

/// One thing that happened, before it is stored in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub entity: Entity,
    pub id: i64,
    /// The verb: `created`, `updated`, `deleted`, `started`, `succeeded`, …
    pub what: &'static str,
    /// The CloudEvents `data`: ids and the new state.
    pub data: Value,
}

impl Event {
    pub fn new(entity: Entity, id: impl Into<i64>, what: &'static str, data: Value) -> Self {
        Event { entity, id: id.into(), what, data }
    }

    /// The subject below the configured prefix, e.g. `job.42.started`.
    pub fn relative_subject(&self) -> String {
        format!("{}.{}.{}", self.entity.as_str(), self.id, self.what)
    }

    /// The CloudEvents `type`, e.g. `io.causeway.job.started`.
    pub fn event_type(&self) -> String {
        format!("io.causeway.{}.{}", self.entity.as_str(), self.what)
    }
}
