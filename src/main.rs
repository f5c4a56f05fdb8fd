//! The `causeway` command: one binary, several roles.

use clap::{Parser, Subcommand};

use causeway::{
    app::{self, App, Serves},
    config::Config,
    db, seed,
    state::AppState,
    telemetry,
};

#[derive(Parser)]
#[command(name = "causeway", version, about = "Run and compare causal structure learning experiments")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Everything on one machine: create the database if missing, migrate, seed, then serve the
    /// API (with the executor routes) in one process.
    Up,
    /// The REST API, websocket notifications and the frontend.
    Api,
    /// The job scheduler.
    Scheduler,
    /// The executor-facing data plane (dataset downloads, result uploads).
    Collector,
    /// Apply pending database migrations.
    Migrate,
    /// Load the algorithm catalogue, the Earthquake and Gaussian examples and their studies (idempotent).
    Seed,
    /// Print the OpenAPI document.
    Openapi,
    /// The algorithm catalogue: `catalogue load FILE` upserts an operator's catalogue file (the
    /// only way, besides the built-in seed, to give an algorithm a local command).
    Catalogue {
        #[command(subcommand)]
        action: CatalogueAction,
    },
    /// API tokens for people and services (`token create | list | revoke`).
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// The built-in dataset generator (run by generation jobs of type CAUSEWAY).
    Generate(causeway::generators::builtin::GeneratorOptions),
    /// Run one local executor and record its exit status in its run folder (started by the
    /// local launcher, so runs outlive the scheduler).
    Supervise(causeway::launcher::supervise::SuperviseOptions),
}

#[derive(Subcommand)]
enum TokenAction {
    /// Make a token and print its secret (once; only its hash is stored).
    Create {
        /// The token's name, which is also the identity of whoever uses it.
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["viewer", "editor", "admin"])]
        role: String,
        /// Lifetime, e.g. `90d`, `12h`; without it the token does not expire.
        #[arg(long, value_parser = causeway::config::parse_duration)]
        expires: Option<std::time::Duration>,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id: it is refused from then on.
    Revoke { id: i32 },
}

#[derive(Subcommand)]
enum CatalogueAction {
    /// Insert or update the entries of FILE (format of src/seed/algorithms.json), keyed by
    /// (package, function).
    Load { file: std::path::PathBuf },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = cli.config;
    if let Command::Supervise(options) = cli.command {
        std::process::exit(causeway::launcher::supervise::run(options));
    }
    if let Command::Generate(options) = cli.command {
        return causeway::generators::builtin::run(options).await;
    }
    if let Command::Openapi = cli.command {
        // Output for tools: nothing but the document on stdout.
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", causeway::api::service().spec())?;
        return Ok(());
    }
    match cli.command {
        Command::Token { .. } | Command::Catalogue { .. } => telemetry::init_for_command(config.log_format),
        _ => telemetry::init(config.log_format),
    }
    tracing::info!(?config, "starting");
    match cli.command {
        Command::Up => {
            config.auth_mode()?;
            db::ensure_database(config.database_url.expose()).await?;
            let state = AppState::connect(config).await?;
            db::migrate(&state.db).await?;
            causeway::datasets::query_role::prepare(&state.pool, &state.config).await?;
            seed::run(&state.db, &state.pool, state.config.launcher).await?;
            app::spawn_event_tasks(&state);
            let scheduler = app::spawn_scheduler(&state).await?;
            serve_then_stop(state, Serves::Everything, scheduler).await
        }
        Command::Api => {
            config.auth_mode()?;
            let state = AppState::connect(config).await?;
            app::spawn_event_tasks(&state);
            serve(state, Serves::Everything).await
        }
        Command::Collector => {
            let state = AppState::connect(config).await?;
            app::spawn_event_tasks(&state);
            serve(state, Serves::ExecutorRoutes).await
        }
        Command::Scheduler => {
            let state = AppState::connect(config).await?;
            app::spawn_event_tasks(&state);
            let scheduler = app::spawn_scheduler(&state).await?;
            // Health and metrics only: probes work, nothing else is reachable.
            serve_then_stop(state, Serves::HealthOnly, scheduler).await
        }
        Command::Migrate => {
            db::ensure_database(config.database_url.expose()).await?;
            let state = AppState::connect(config).await?;
            db::migrate(&state.db).await?;
            causeway::datasets::query_role::prepare(&state.pool, &state.config).await
        }
        Command::Seed => {
            let state = AppState::connect(config).await?;
            seed::run(&state.db, &state.pool, state.config.launcher).await
        }
        Command::Catalogue { action: CatalogueAction::Load { file } } => {
            let state = AppState::connect(config).await?;
            let (inserted, updated) = seed::load_catalogue_file(&state.db, &file).await?;
            tracing::info!(inserted, updated, file = %file.display(), "catalogue loaded");
            Ok(())
        }
        Command::Token { action } => {
            let state = AppState::connect(config).await?;
            token_command(&state.pool, action).await
        }
        Command::Openapi | Command::Generate(_) | Command::Supervise(_) => unreachable!("handled above"),
    }
}

/// Output for people and scripts: `create` prints nothing but the secret on stdout.
async fn token_command(pool: &sqlx::PgPool, action: TokenAction) -> anyhow::Result<()> {
    use causeway::auth::{Role, tokens};
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match action {
        TokenAction::Create { name, role, expires } => {
            let role = Role::parse(&role).ok_or_else(|| anyhow::anyhow!("unknown role {role}"))?;
            let (record, secret) =
                tokens::create(pool, &name, role, expires, "causeway token create").await?;
            tracing::info!(token_id = record.id, name, %role, expires_at = ?record.expires_at, "API token created");
            writeln!(stdout, "{secret}")?;
        }
        TokenAction::List => {
            writeln!(stdout, "id\tname\trole\tcreated_at\texpires_at\tlast_used_at\trevoked_at")?;
            let show =
                |time: Option<chrono::DateTime<chrono::Utc>>| time.map_or("-".to_owned(), |t| t.to_rfc3339());
            for token in tokens::list(pool).await? {
                writeln!(
                    stdout,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    token.id,
                    token.name,
                    token.role,
                    token.created_at.to_rfc3339(),
                    show(token.expires_at),
                    show(token.last_used_at),
                    show(token.revoked_at)
                )?;
            }
        }
        TokenAction::Revoke { id } => match tokens::revoke(pool, id).await? {
            Some(token) => tracing::info!(token_id = token.id, name = token.name, "API token revoked"),
            None => anyhow::bail!("there is no API token {id}"),
        },
    }
    Ok(())
}

async fn serve(state: causeway::state::SharedState, serves: Serves) -> anyhow::Result<()> {
    App::bind(state).await?.serving(serves).run_until(shutdown_signal()).await
}

/// Serves until SIGTERM or Ctrl-C, then stops the scheduler (its runs keep running: a later
/// scheduler adopts them).
async fn serve_then_stop(
    state: causeway::state::SharedState,
    serves: Serves,
    scheduler: std::sync::Arc<causeway::scheduler::Scheduler>,
) -> anyhow::Result<()> {
    App::bind(state)
        .await?
        .serving(serves)
        .run_until(async move {
            shutdown_signal().await;
            scheduler.stop().await;
        })
        .await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate.recv() => {},
    }
    tracing::info!("shutting down");
}
