//! Integration tests of the REST API against the real Postgres (and MariaDB for remote sources).
//! Each test gets its own database, so they run in parallel and repeatedly.

mod algorithms;
mod auth;
mod contract;
mod datasets;
mod distributions;
mod durability;
mod executor;
mod experiments;
mod fake_kube;
mod graphs;
mod hardening;
mod helpers;
mod jobs;
mod kubernetes;
mod metrics;
mod native_pc;
mod oidc;
mod python_executor;
mod r_executor;
mod remote_sources;
mod results;
mod seed;
mod socketio;
mod studies;
mod uploads;
