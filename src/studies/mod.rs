//! Studies (issue 14): datasets × algorithms × parameter grids, one experiment per point, with
//! live progress and a benchmark against the ground truth.
//!
//! - `grid`: parsing and expanding parameter grids (pure);
//! - `plan`: a request's experiments, each point checked with the algorithm's schema (pure);
//! - `store`: writing a study and its experiments with their events (caller's transaction);
//! - `progress`: job counts, and the study events written when a job of a study ends;
//! - `benchmark`: scores per run against the ground truth, summaries, CSV.
//!
//! The REST routes are `api/studies.rs`; jobs are created only through `lifecycle`.

pub mod benchmark;
pub mod grid;
pub mod plan;
pub mod progress;
pub mod store;
