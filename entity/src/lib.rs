//! sea-orm entities for Causeway's metadata tables (schema: `migration/`).
//!
//! These are storage types only. The REST API has its own view types (`src/api/`), so the wire
//! format can follow MPCSL exactly without bending the tables.

pub mod algorithm;
pub mod dataset;
pub mod edge;
pub mod edge_information;
pub mod enums;
pub mod experiment;
pub mod job;
pub mod node;
pub mod outbox;
pub mod result;
pub mod sepset;
pub mod study;
