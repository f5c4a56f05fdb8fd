//! The scheduler: claims waiting jobs, launches them, watches the runs and ends them.
//!
//! - `claim`: the one query that moves a job from waiting to running (SKIP LOCKED, the
//!   `parallel` rule);
//! - `spec`: what to run for a job (executor arguments, image, local command);
//! - `run`: the loop (wake on `job.created` events or the poll), monitoring of runs (crash,
//!   unschedulable, image missing, timeout), log saving, cancellation and reconciliation, and the
//!   NATS request/reply commands (`rpc.nodes`, `rpc.logs`).

pub mod claim;
pub mod run;
pub mod spec;

pub use run::Scheduler;

/// The log text MPCSL stores when a run left no output.
pub const EMPTY_LOGS: &str = " -- EMPTY LOGS -- ";
