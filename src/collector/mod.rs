//! The executor-facing data plane: per-job upload tokens and result ingestion. Its routes are
//! MPCSL's (`/api/job/{id}/result`, `PUT /api/job/{id}`, `/api/dataset/{id}/loadwithids`) and
//! live in `api::jobs` / `api::datasets`; this module holds what they do.

pub mod result;
pub mod token;
