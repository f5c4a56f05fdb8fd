//! Database lifecycle: creating Causeway's database when it is missing, and migrations.

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;
use sqlx::{Connection, PgConnection};

/// Splits `postgres://…/name?opts` into the URL of the server's `postgres` database and `name`.
fn maintenance_url(url: &str) -> anyhow::Result<(String, String)> {
    let (base, options) = match url.split_once('?') {
        Some((base, options)) => (base, Some(options)),
        None => (url, None),
    };
    let (server, name) = base
        .rsplit_once('/')
        .filter(|(server, _)| server.contains("://") && !server.ends_with('/'))
        .context("DATABASE_URL must name a database, e.g. postgres://user@host:5432/causeway")?;
    let mut maintenance = format!("{server}/postgres");
    if let Some(options) = options {
        maintenance.push('?');
        maintenance.push_str(options);
    }
    Ok((maintenance, name.to_owned()))
}

/// Creates the database named in `url` if it does not exist yet (needs CREATEDB rights).
pub async fn ensure_database(url: &str) -> anyhow::Result<()> {
    let (maintenance, name) = maintenance_url(url)?;
    let mut conn = PgConnection::connect(&maintenance)
        .await
        .with_context(|| format!("connecting to {}", crate::config::redact_url(&maintenance)))?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&name)
        .fetch_one(&mut conn)
        .await?;
    if !exists {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {quoted}")))
            .execute(&mut conn)
            .await
            .with_context(|| format!("creating database {name}"))?;
        tracing::info!(database = name, "database created");
    }
    conn.close().await?;
    Ok(())
}

/// Applies pending migrations. Never `fresh`: that would drop user dataset tables.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("applying migrations")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_maintenance_url_keeps_server_and_options() {
        assert_eq!(
            maintenance_url("postgres://u@h:5432/causeway?sslmode=disable").unwrap(),
            ("postgres://u@h:5432/postgres?sslmode=disable".into(), "causeway".into())
        );
        assert!(maintenance_url("postgres://u@h:5432").is_err());
    }
}

/// Which `json` columns keep their key order (parameters reach executors in stored order and
/// forms show them in catalogue order).
#[derive(Debug, Clone, Copy)]
pub enum OrderedJsonColumn {
    AlgorithmValidParameters,
    ExperimentParameters,
}

/// Writes a `json` column so that its key order survives. sqlx binds `serde_json::Value` as
/// `jsonb`, which sorts keys; binding the text and casting to `json` keeps them as written.
pub async fn write_ordered_json<C: sea_orm::ConnectionTrait>(
    db: &C,
    column: OrderedJsonColumn,
    id: i32,
    value: &serde_json::Value,
) -> Result<(), sea_orm::DbErr> {
    let sql = match column {
        OrderedJsonColumn::AlgorithmValidParameters => {
            "UPDATE algorithm SET valid_parameters = CAST($1 AS json) WHERE id = $2"
        }
        OrderedJsonColumn::ExperimentParameters => {
            "UPDATE experiment SET parameters = CAST($1 AS json) WHERE id = $2"
        }
    };
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        sql,
        [value.to_string().into(), id.into()],
    ))
    .await?;
    Ok(())
}
