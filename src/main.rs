//! The `causeway` command: one binary, several roles.

use clap::{Parser, Subcommand};

use causeway::{
    app::{self, App},
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
    /// Load the algorithm catalogue and the Earthquake example (idempotent).
    Seed,
    /// Print the OpenAPI document.
    Openapi,
    /// The built-in dataset generator (run by generation jobs of type CAUSEWAY).
    Generate(causeway::generators::builtin::GeneratorOptions),
    /// Run one local executor and record its exit status in its run folder (started by the
    /// local launcher, so runs outlive the scheduler).
    Supervise(causeway::launcher::supervise::SuperviseOptions),
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
    telemetry::init(config.log_format);
    tracing::info!(?config, "starting");
    match cli.command {
        Command::Up => {
            db::ensure_database(config.database_url.expose()).await?;
            let state = AppState::connect(config).await?;
            db::migrate(&state.db).await?;
            seed::run(&state.db, &state.pool).await?;
            app::spawn_event_tasks(&state);
            let scheduler = app::spawn_scheduler(&state).await?;
            serve_then_stop(state, scheduler).await
        }
        Command::Api | Command::Collector => {
            let state = AppState::connect(config).await?;
            app::spawn_event_tasks(&state);
            serve(state).await
        }
        Command::Scheduler => {
            let state = AppState::connect(config).await?;
            app::spawn_event_tasks(&state);
            let scheduler = app::spawn_scheduler(&state).await?;
            // Health endpoints and the same routes, so probes work on every role.
            serve_then_stop(state, scheduler).await
        }
        Command::Migrate => {
            db::ensure_database(config.database_url.expose()).await?;
            let state = AppState::connect(config).await?;
            db::migrate(&state.db).await
        }
        Command::Seed => {
            let state = AppState::connect(config).await?;
            seed::run(&state.db, &state.pool).await
        }
        Command::Openapi | Command::Generate(_) | Command::Supervise(_) => unreachable!("handled above"),
    }
}

async fn serve(state: causeway::state::SharedState) -> anyhow::Result<()> {
    App::bind(state).await?.run_until(shutdown_signal()).await
}

/// Serves until SIGTERM or Ctrl-C, then stops the scheduler (its runs keep running: a later
/// scheduler adopts them).
async fn serve_then_stop(
    state: causeway::state::SharedState,
    scheduler: std::sync::Arc<causeway::scheduler::Scheduler>,
) -> anyhow::Result<()> {
    App::bind(state)
        .await?
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
