//! Causeway's native PC-stable executor.
//!
//! The binary (`src/main.rs`) implements the MPCSL executor contract; this library holds the
//! pieces so they can be tested and reused (the graph-analytics module uses [`cpdag`]).
//!
//! | module | concern |
//! |---|---|
//! | [`args`] | command line of the contract, Python `str()` value forms |
//! | [`api`] | HTTP calls to the backend: load dataset, upload result, report failure |
//! | [`data`] | CSV parsing, row sampling, category codes |
//! | [`stats`] | normal CDF, chi-square survival, incomplete gamma |
//! | [`ci`] | conditional-independence tests (Fisher-z, G², chi-square) |
//! | [`skeleton`] | the order-independent skeleton phase, parallel per level |
//! | [`cpdag`] | colliders + Meek rules; DAG → CPDAG |
//! | [`pc`] | skeleton + orientation |
//! | [`payload`] | the JSON result body |
//! | [`rng`], [`synth`] | seeded PRNG and synthetic data for tests and benchmarks |

pub mod api;
pub mod args;
pub mod ci;
pub mod cpdag;
pub mod data;
pub mod payload;
pub mod pc;
pub mod rng;
pub mod skeleton;
pub mod stats;
pub mod synth;
