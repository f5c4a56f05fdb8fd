//! What request handlers share: database handles, data sources and configuration.

use std::sync::Arc;

use sea_orm::{DatabaseConnection, SqlxPostgresConnector};
use sqlx::{PgPool, postgres::PgPoolOptions};

use crate::{api::ws::Notifier, auth::Authenticator, config::Config, datasets::DataSources};

pub struct AppState {
    /// sea-orm over the same pool as `pool`.
    pub db: DatabaseConnection,
    /// The raw pool, for COPY and aggregate queries.
    pub pool: PgPool,
    pub sources: DataSources,
    pub config: Config,
    /// NATS (connects in the background; requests fail fast while it is down).
    pub nats: async_nats::Client,
    /// Websocket fan-out of events.
    pub notifier: std::sync::Arc<Notifier>,
    /// Who is calling (API tokens, OIDC), as configured.
    pub auth: Arc<Authenticator>,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    /// Connects to Causeway's database (no migrations; see `causeway migrate`).
    pub async fn connect(config: Config) -> anyhow::Result<SharedState> {
        use anyhow::Context;
        let pool = PgPoolOptions::new()
            .max_connections(32)
            .connect(config.database_url.expose())
            .await
            .with_context(|| format!("connecting to the database {:?}", config.database_url))?;
        let nats = crate::events::bus::connect(&config, "api").await?;
        let db = SqlxPostgresConnector::from_sqlx_postgres_pool(pool.clone());
        let sources = DataSources::new(&config)?;
        let auth = Arc::new(Authenticator::new(&config));
        Ok(Arc::new(AppState { db, pool, sources, config, nats, notifier: Notifier::new(), auth }))
    }

    /// The same handles with another configuration (e.g. the executors' `api_host` once the
    /// listener is bound on a free port).
    pub fn with_config(state: &SharedState, config: Config) -> SharedState {
        Arc::new(AppState {
            db: state.db.clone(),
            pool: state.pool.clone(),
            sources: state.sources.clone(),
            nats: state.nats.clone(),
            notifier: state.notifier.clone(),
            auth: Arc::new(Authenticator::new(&config)),
            config,
        })
    }
}
