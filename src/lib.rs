//! Causeway: an MPCSL-compatible platform for running and comparing causal structure learning
//! experiments. The binary (`main.rs`) is a thin CLI over this library; tests drive the same
//! entry points (`app::App`, `db`, `seed`).

pub mod api;
pub mod app;
pub mod auth;
pub mod collector;
pub mod config;
pub mod datasets;
pub mod db;
pub mod events;
pub mod generators;
pub mod graph;
pub mod launcher;
pub mod lifecycle;
pub mod metrics;
pub mod parameters;
pub mod random;
pub mod scheduler;
pub mod seed;
pub mod state;
pub mod studies;
pub mod telemetry;
