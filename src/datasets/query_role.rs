//! Least privilege for user SQL: dataset queries on the `postgres` source run as a role of their
//! own, never as Causeway's.
//!
//! Causeway's own role owns the job table (with its upload tokens), the token table and often
//! more (a superuser in `causeway up`). The query role that [`prepare`] creates may log in and
//! read the `causeway_data` schema plus the schemas an admin lists (`CAUSEWAY_QUERY_SCHEMAS`),
//! and nothing else: it is no superuser, creates nothing, is no member of Causeway's role, so
//! server files (`pg_read_file`), Causeway's tables and server-side functions stay out of reach.
//! Its `search_path` starts with `causeway_data`, so MPCSL-style `SELECT * FROM my_table` finds
//! uploaded and generated tables. The system catalogs stay readable, as for every Postgres
//! role: describing a query needs them (docs/security.md).

use anyhow::Context;
use sqlx::PgPool;

use crate::config::Config;

/// Creates or checks the query role and grants it exactly what it needs. Run by `causeway
/// migrate` and `causeway up` as Causeway's role; idempotent and safe to run concurrently
/// (roles are shared by every database of the server).
pub async fn prepare(pool: &PgPool, config: &Config) -> anyhow::Result<()> {
    // Parallel runs (tests, replicas) may race on the shared role row; retry such conflicts.
    let mut attempt = 0;
    loop {
        match prepare_once(pool, config).await {
            Err(err) if attempt < 3 && is_concurrent_update(&err) => attempt += 1,
            other => return other,
        }
    }
}

fn is_concurrent_update(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .is_some_and(|db| db.message().contains("concurrently"))
    })
}

async fn prepare_once(pool: &PgPool, config: &Config) -> anyhow::Result<()> {
    let role = config.query_role.as_str();
    let mut conn = pool.acquire().await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(role)
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        let create = format_sql(
            &mut conn,
            "SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', $1::text)",
            &[role],
        )
        .await?;
        match sqlx::raw_sql(sqlx::AssertSqlSafe(create)).execute(&mut *conn).await {
            Ok(_) => tracing::info!(role, "query role created"),
            // Another process created it at the same moment.
            Err(err) if is_duplicate(&err) => {}
            Err(err) => {
                return Err(err).with_context(|| {
                    format!(
                        "creating the query role {role:?} needs CREATEROLE; create it by hand \
                         (docs/security.md) or set CAUSEWAY_QUERY_ROLE to an existing one"
                    )
                });
            }
        }
    }
    check_attributes(&mut conn, role).await?;
    if let Some(password) = &config.query_password {
        let alter = format_sql(
            &mut conn,
            "SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)",
            &[role, password.expose()],
        )
        .await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(alter))
            .execute(&mut *conn)
            .await
            .context("setting its password")?;
    }
    let mut schemas = vec![migration::DATA_SCHEMA.to_owned()];
    schemas.extend(
        config.query_schemas.iter().filter(|s| !s.is_empty() && *s != migration::DATA_SCHEMA).cloned(),
    );
    for schema in &schemas {
        let grants = format_sql(
            &mut conn,
            "SELECT format('GRANT USAGE ON SCHEMA %1$I TO %2$I; \
                            GRANT SELECT ON ALL TABLES IN SCHEMA %1$I TO %2$I; \
                            ALTER DEFAULT PRIVILEGES IN SCHEMA %1$I GRANT SELECT ON TABLES TO %2$I', $1::text, $2::text)",
            &[schema, role],
        )
        .await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(grants))
            .execute(&mut *conn)
            .await
            .with_context(|| format!("granting {role:?} read access to schema {schema:?}"))?;
    }
    let mut search_path = schemas.clone();
    search_path.push("public".into());
    let path: String = sqlx::query_scalar(
        "SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = %s', $1::text, current_database(), \
                (SELECT string_agg(quote_ident(s), ', ') FROM unnest($2::text[]) s))",
    )
    .bind(role)
    .bind(&search_path)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(path)).execute(&mut *conn).await.context("setting its search_path")?;
    tracing::info!(role, schemas = ?schemas, "query role ready");
    Ok(())
}

/// A role made by hand (or by an older version) must still be unprivileged.
async fn check_attributes(conn: &mut sqlx::PgConnection, role: &str) -> anyhow::Result<()> {
    let (superuser, create_db, create_role, bypass_rls, member_of_us): (bool, bool, bool, bool, bool) =
        sqlx::query_as(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, \
                    pg_has_role(rolname, current_user, 'MEMBER') \
             FROM pg_roles WHERE rolname = $1",
        )
        .bind(role)
        .fetch_one(&mut *conn)
        .await?;
    if role == current_user(conn).await? {
        anyhow::bail!(
            "the query role {role:?} is Causeway's own role: set CAUSEWAY_QUERY_ROLE to another one"
        );
    }
    let problems: Vec<&str> = [
        (superuser, "SUPERUSER"),
        (create_db, "CREATEDB"),
        (create_role, "CREATEROLE"),
        (bypass_rls, "BYPASSRLS"),
        (member_of_us, "membership in Causeway's role"),
    ]
    .into_iter()
    .filter_map(|(bad, name)| bad.then_some(name))
    .collect();
    if !problems.is_empty() {
        anyhow::bail!(
            "the query role {role:?} has {}: user SQL must run without them (docs/security.md)",
            problems.join(", ")
        );
    }
    Ok(())
}

async fn current_user(conn: &mut sqlx::PgConnection) -> anyhow::Result<String> {
    Ok(sqlx::query_scalar("SELECT current_user::text").fetch_one(&mut *conn).await?)
}

/// Builds a statement with Postgres' own `format()` (`%I` identifiers, `%L` literals), so
/// names and the password are quoted by the server that parses them.
async fn format_sql(
    conn: &mut sqlx::PgConnection,
    format: &'static str,
    args: &[&str],
) -> anyhow::Result<String> {
    let mut query = sqlx::query_scalar(format);
    for arg in args {
        query = query.bind(*arg);
    }
    Ok(query.fetch_one(&mut *conn).await?)
}

fn is_duplicate(err: &sqlx::Error) -> bool {
    // 42710 duplicate_object; 23505 unique_violation when two sessions create it at once.
    err.as_database_error().and_then(|db| db.code()).is_some_and(|code| code == "42710" || code == "23505")
}

/// The URL user queries on the `postgres` source connect with: Causeway's database URL with the
/// query role's name and password.
pub fn connection_url(config: &Config) -> String {
    let url = config.database_url.expose();
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let host_and_rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let user = percent_encode(&config.query_role);
    match &config.query_password {
        Some(password) => format!("{scheme}://{user}:{}@{host_and_rest}", percent_encode(password.expose())),
        None => format!("{scheme}://{user}@{host_and_rest}"),
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_url_swaps_the_credentials_and_keeps_the_rest() {
        let mut config = Config::for_database("postgres://causeway:secret@db:5432/causeway?sslmode=require");
        config.query_role = "causeway_query".into();
        assert_eq!(connection_url(&config), "postgres://causeway_query@db:5432/causeway?sslmode=require");
        config.query_password = Some("p@ss:w/rd".into());
        assert_eq!(
            connection_url(&config),
            "postgres://causeway_query:p%40ss%3Aw%2Frd@db:5432/causeway?sslmode=require"
        );
        let config = Config::for_database("postgres://127.0.0.1/causeway");
        assert_eq!(connection_url(&config), "postgres://causeway_query@127.0.0.1/causeway");
    }
}
