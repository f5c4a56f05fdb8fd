//! Datasets: where their data lives and how Causeway reads it.
//!
//! - `sources`: the named data sources (Causeway's own Postgres and configured remote databases)
//!   and the guarded execution of user SQL on them (read-only, one statement, timeout).
//! - `query_role`: the unprivileged role user SQL on Causeway's database runs as.
//! - `csv`: the streaming CSV writer shared by every download path.
//! - `upload`: CSV files that become tables in the `causeway_data` schema.
//! - `store`: the dataset and node rows themselves.

pub mod csv;
pub mod pgbinary;
pub mod query_role;
pub mod sources;
pub mod store;
pub mod upload;

pub use sources::{DataSources, QueryError, QueryInfo, Source};
