//! Causeway's schema migrations.
//!
//! Migrations only ever touch Causeway's own tables in the `public` schema. User dataset tables
//! (uploaded CSVs, generated datasets, the seeded example) live in the `causeway_data` schema and
//! in user databases: no migration may create, alter or drop anything there, and operators must
//! never run `Migrator::fresh` against a live database (it drops every table of the database).

pub use sea_orm_migration::prelude::*;

/// A migration written as SQL: the module's `UP` and `DOWN` statements run as they are.
macro_rules! sql_migration {
    ($name:literal) => {
        pub struct Migration;

        impl MigrationName for Migration {
            fn name(&self) -> &str {
                $name
            }
        }

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                manager.get_connection().execute_unprepared(UP).await?;
                Ok(())
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                manager.get_connection().execute_unprepared(DOWN).await?;
                Ok(())
            }
        }
    };
}

mod m20261128_000001_initial;
mod m20261128_000002_job_engine;
mod m20261128_000003_claim_indexes;
mod m20261128_000004_bulk_graph_tables;
mod m20261204_000001_identity;
mod m20261204_100001_job_failure_reason;
mod m20261204_100002_upload_token_hash;
mod m20261204_100003_job_retries;
mod m20261204_300001_outbox_wake;
mod m20261205_100001_studies;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_initial::Migration),
            Box::new(m20261128_000002_job_engine::Migration),
            Box::new(m20261128_000003_claim_indexes::Migration),
            Box::new(m20261128_000004_bulk_graph_tables::Migration),
            Box::new(m20261204_000001_identity::Migration),
            Box::new(m20261204_100001_job_failure_reason::Migration),
            Box::new(m20261204_100002_upload_token_hash::Migration),
            Box::new(m20261204_100003_job_retries::Migration),
            Box::new(m20261204_300001_outbox_wake::Migration),
            Box::new(m20261205_100001_studies::Migration),
        ]
    }
}

/// Name of the schema that holds tables Causeway creates for user data (CSV uploads, generated
/// datasets, examples). Created by the first migration, never altered by later ones.
pub const DATA_SCHEMA: &str = "causeway_data";
