// Each bench crate includes this module and uses a part of it.
#![allow(dead_code)]

//! Shared set-up of the benchmarks: a throw-away database and a server on a free port.

use std::sync::Arc;

use causeway::{
    app::App,
    config::Config,
    db,
    state::{AppState, SharedState},
};
use sqlx::{Connection, PgConnection};

pub fn admin_url() -> String {
    std::env::var("CAUSEWAY_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct Bench {
    pub state: SharedState,
    pub base: String,
    database: String,
}

impl Bench {
    /// A migrated database of its own and a running server; `configure` adjusts the config.
    pub async fn start(configure: impl FnOnce(&mut Config)) -> anyhow::Result<Bench> {
        let database = format!("causeway_bench_{}", uuid::Uuid::new_v4().simple());
        let (server, _) = admin_url().rsplit_once('/').map(|(s, d)| (s.to_owned(), d.to_owned())).unwrap();
        let url = format!("{server}/{database}");
        db::ensure_database(&url).await?;
        let mut config = Config::for_database(&url);
        config.nats_prefix = format!("b{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        configure(&mut config);
        let state = AppState::connect(config).await?;
        db::migrate(&state.db).await?;
        // Dataset queries run as the query role, which reads only `causeway_data`.
        causeway::datasets::query_role::prepare(&state.pool, &state.config).await?;
        let app = App::bind(state.clone()).await?;
        let base = format!("http://{}", app.address());
        let mut config = state.config.clone();
        config.api_host = Some(app.address().to_string());
        let state = AppState::with_config(&state, config);
        tokio::spawn(App::from_parts(app, state.clone()).run_until(std::future::pending()));
        Ok(Bench { state, base, database })
    }

    /// Runs SQL; unqualified new tables go to `causeway_data`, where dataset queries read.
    pub async fn sql(&self, statement: &str) -> anyhow::Result<()> {
        let statement = format!("SET LOCAL search_path TO causeway_data, public; {statement}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement)).execute(&self.state.pool).await?;
        Ok(())
    }

    /// Drops the database and the NATS stream.
    pub async fn finish(self) -> anyhow::Result<()> {
        let stream = self.state.config.events_stream();
        let _ = async_nats::jetstream::new(self.state.nats.clone()).delete_stream(&stream).await;
        drop(self.state);
        let mut admin = PgConnection::connect(&admin_url()).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database)))
            .execute(&mut admin)
            .await?;
        Ok(())
    }
}

/// Resident set size of this process in bytes.
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Samples RSS every 5 ms until stopped; returns the peak growth over the starting value.
pub struct RssSampler {
    running: Arc<std::sync::atomic::AtomicBool>,
    peak: Arc<std::sync::atomic::AtomicU64>,
    start: u64,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    pub fn start() -> Self {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        let start = rss_bytes();
        let running = Arc::new(AtomicBool::new(true));
        let peak = Arc::new(AtomicU64::new(start));
        let (r, p) = (running.clone(), peak.clone());
        let thread = std::thread::spawn(move || {
            while r.load(Ordering::Relaxed) {
                p.fetch_max(rss_bytes(), Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        });
        RssSampler { running, peak, start, thread: Some(thread) }
    }

    /// Peak growth in MB.
    pub fn stop(mut self) -> f64 {
        use std::sync::atomic::Ordering;
        self.running.store(false, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.peak.load(Ordering::Relaxed).saturating_sub(self.start) as f64 / 1e6
    }
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

pub fn percentile(mut values: Vec<f64>, p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let index = ((values.len() - 1) as f64 * p).round() as usize;
    values[index]
}

/// CPU seconds (user + system) used so far by this process and by the PostgreSQL backends
/// serving this bench's database: comparing two snapshots tells where the work of a phase went,
/// which wall-clock rates on a shared two-core machine cannot.
pub async fn cpu_seconds(pool: &sqlx::PgPool) -> anyhow::Result<(f64, f64)> {
    let backends: Vec<i32> =
        sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            .fetch_all(pool)
            .await?;
    let ticks = |pid: &str| -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
        let fields: Vec<&str> = stat.rsplit_once(") ").map_or(vec![], |(_, rest)| rest.split(' ').collect());
        let field = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        (field(11) + field(12)) / 100.0
    };
    let postgres = backends.iter().map(|pid| ticks(&pid.to_string())).sum();
    Ok((ticks("self"), postgres))
}
