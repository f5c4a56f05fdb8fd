//! A whole Causeway installation of the test's own: a PostgreSQL cluster (`initdb` + `pg_ctl`
//! into a temporary folder), a NATS server with JetStream, and the roles `api`, `collector` and
//! `scheduler` as separate `causeway` processes, all on free ports. The scenarios kill and
//! restart any of them.

use std::{
    collections::HashMap,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};
use sqlx::PgPool;

/// The `causeway` binary under test; the local launcher finds `causeway-pc` next to it.
pub fn causeway_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_causeway"))
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// Waits (blocking, short polls) until `port` accepts connections.
fn wait_for_port(port: u16, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !port_open(port) {
        assert!(std::time::Instant::now() < deadline, "{what} did not listen on port {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends `signal` to one process (a positive pid: never a group, never -1).
pub fn signal_pid(pid: i32, signal: i32) {
    assert!(pid > 1, "refusing to signal pid {pid}");
    // SAFETY: kill only sends a signal.
    unsafe {
        libc::kill(pid, signal);
    }
}

fn signal(child: &Child, sig: i32) {
    signal_pid(i32::try_from(child.id()).unwrap(), sig);
}

/// The newest PostgreSQL server binaries Debian installed.
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries in /usr/lib/postgresql (scripts/services installs them)")
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent().and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok()).unwrap_or(0)
    });
    versions.pop().expect("initdb under /usr/lib/postgresql/*/bin")
}

/// PostgreSQL refuses to run as root: then its commands run as the `postgres` user.
fn as_postgres_user(program: &Path) -> Command {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(mut command: Command, what: &str) {
    let output = command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A PostgreSQL cluster in `<dir>/pg`, listening on 127.0.0.1:`port`.
pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
}

impl Postgres {
    fn create(dir: &Path) -> Postgres {
        let data = dir.join("pg");
        std::fs::create_dir_all(&data).unwrap();
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            run(
                {
                    let mut c = Command::new("chown");
                    c.arg("postgres:postgres").arg(&data);
                    c
                },
                "chown of the data folder",
            );
        }
        let bin = postgres_bin();
        let mut initdb = as_postgres_user(&bin.join("initdb"));
        initdb.arg("-D").arg(&data).args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        run(initdb, "initdb");
        let postgres = Postgres { bin, data, port: free_port() };
        postgres.start();
        postgres
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// `pg_ctl start`, waiting until it accepts connections.
    pub fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
            self.port,
            self.data.display()
        );
        let mut start = as_postgres_user(&self.bin.join("pg_ctl"));
        start.arg("-D").arg(&self.data).arg("-l").arg(self.data.join("server.log"));
        start.args(["-o", &options, "-w", "start"]);
        run(start, "pg_ctl start");
    }

    /// `pg_ctl restart -m fast`: every connection is cut.
    pub fn restart_fast(&self) {
        let mut stop = as_postgres_user(&self.bin.join("pg_ctl"));
        stop.arg("-D").arg(&self.data).args(["-m", "fast", "-w", "stop"]);
        run(stop, "pg_ctl stop -m fast");
        self.start();
    }

    /// A crash: `pg_ctl stop -m immediate` (every server process quits at once, no checkpoint),
    /// then a start, which recovers from the WAL as after a power cut of the server alone.
    pub fn crash_and_restart(&self) {
        self.stop_immediately();
        self.start();
    }

    fn stop_immediately(&self) {
        let mut stop = as_postgres_user(&self.bin.join("pg_ctl"));
        stop.arg("-D").arg(&self.data).args(["-m", "immediate", "-w", "stop"]);
        let _ = stop.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

/// A NATS server with JetStream, its store in `<dir>/nats`.
pub struct Nats {
    store: PathBuf,
    log: PathBuf,
    pub port: u16,
    child: Option<Child>,
}

impl Nats {
    fn create(dir: &Path) -> Nats {
        let mut nats =
            Nats { store: dir.join("nats"), log: dir.join("nats.log"), port: free_port(), child: None };
        nats.start();
        nats
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Starts the server on the same port and store as before.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "NATS runs already");
        let program = which("nats-server").expect("nats-server on PATH (scripts/services installs it)");
        let child = Command::new(program)
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string(), "-js", "-sd"])
            .arg(&self.store)
            .arg("-l")
            .arg(&self.log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting nats-server");
        self.child = Some(child);
        wait_for_port(self.port, "NATS");
    }

    /// `kill -9` of the server.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(&child, libc::SIGKILL);
            child.wait().unwrap();
        }
    }
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A `causeway` role process.
struct Role {
    command: &'static str,
    listen: String,
    child: Child,
}

pub struct Cluster {
    pub dir: tempfile::TempDir,
    pub pg: Postgres,
    pub nats: Nats,
    pub pool: PgPool,
    pub http: reqwest::Client,
    pub api_port: u16,
    pub collector_port: u16,
    roles: HashMap<String, Role>,
}

impl Cluster {
    /// Postgres, NATS, `causeway migrate` and `seed`, then the `api` and `collector` roles (the
    /// scenario starts its schedulers).
    pub async fn start() -> Cluster {
        let pc = causeway_bin().with_file_name("causeway-pc");
        assert!(pc.is_file(), "{} is missing: `cargo build --workspace` builds it", pc.display());
        let dir = tempfile::Builder::new().prefix("causeway-chaos-").tempdir().unwrap();
        // The postgres user (when running as root) must reach its data folder.
        std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let pg = Postgres::create(dir.path());
        let nats = Nats::create(dir.path());
        let mut cluster = Cluster {
            pool: PgPool::connect_lazy(&pg.url("causeway")).unwrap(),
            dir,
            pg,
            nats,
            http: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap(),
            api_port: free_port(),
            collector_port: free_port(),
            roles: HashMap::new(),
        };
        for command in ["migrate", "seed"] {
            let status = cluster
                .command(command)
                .stdout(cluster.log_file(command))
                .stderr(cluster.log_file(command))
                .status()
                .unwrap();
            assert!(status.success(), "causeway {command} failed:\n{}", cluster.log(command));
        }
        let api = format!("127.0.0.1:{}", cluster.api_port);
        let collector = format!("127.0.0.1:{}", cluster.collector_port);
        cluster.start_role("api", "api", &api);
        cluster.start_role("collector", "collector", &collector);
        cluster
    }

    fn log_file(&self, name: &str) -> std::fs::File {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join(format!("{name}.log")))
            .unwrap()
    }

    /// What a role (or command) printed so far.
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{name}.log"))).unwrap_or_default()
    }

    /// The tail of every role's log, for failure messages.
    pub fn logs(&self) -> String {
        let mut names: Vec<&String> = self.roles.keys().collect();
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let log = self.log(name);
                let tail: String = log
                    .lines()
                    .rev()
                    .take(40)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join("\n");
                format!("--- {name} (last lines)\n{tail}\n")
            })
            .collect()
    }

    pub fn work_dir(&self) -> PathBuf {
        self.dir.path().join("runs")
    }

    /// `causeway <command>` configured for this cluster.
    fn command(&self, command: &str) -> Command {
        let mut c = Command::new(causeway_bin());
        c.arg(command)
            .env("DATABASE_URL", self.pg.url("causeway"))
            .env("NATS_URL", self.nats.url())
            .env("CAUSEWAY_NATS_PREFIX", "chaos")
            .env("CAUSEWAY_API_HOST", format!("127.0.0.1:{}", self.collector_port))
            .env("CAUSEWAY_REQUIRE_UPLOAD_TOKEN", "true")
            .env("CAUSEWAY_WORK_DIR", self.work_dir())
            .env("CAUSEWAY_EXECUTORS_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/executors"))
            .env("CAUSEWAY_BIN", causeway_bin())
            .env("CAUSEWAY_SCHEDULER_POLL", "200ms")
            // Jobs a killed scheduler claimed but never launched come back after this.
            .env("CAUSEWAY_LAUNCH_TIMEOUT", "5s")
            .env("CAUSEWAY_FRONTEND_DIR", "/nonexistent")
            .env("CAUSEWAY_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .env_remove("CAUSEWAY_AUTH")
            .stdin(Stdio::null());
        c
    }

    /// Starts role `name` (`causeway <command>`, listening on `listen`); its output goes to
    /// `<name>.log`.
    pub fn start_role(&mut self, name: &str, command: &'static str, listen: &str) {
        assert!(!self.roles.contains_key(name), "{name} runs already");
        let child = self
            .command(command)
            .env("CAUSEWAY_LISTEN", listen)
            .stdout(self.log_file(name))
            .stderr(self.log_file(name))
            .spawn()
            .unwrap_or_else(|e| panic!("starting causeway {command}: {e}"));
        if let Some(port) = listen.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).filter(|p| *p != 0)
        {
            wait_for_port(port, name);
        }
        self.roles.insert(name.to_owned(), Role { command, listen: listen.to_owned(), child });
    }

    /// A scheduler named `name` (health port of its own).
    pub fn start_scheduler(&mut self, name: &str) {
        self.start_role(name, "scheduler", "127.0.0.1:0");
    }

    /// `kill -9` of role `name`; returns how to start it again ([`Cluster::restart`]).
    pub fn kill(&mut self, name: &str) -> (&'static str, String) {
        let mut role = self.roles.remove(name).unwrap_or_else(|| panic!("{name} does not run"));
        signal(&role.child, libc::SIGKILL);
        role.child.wait().unwrap();
        (role.command, role.listen)
    }

    /// Starts a killed role again, on the same address.
    pub fn restart(&mut self, name: &str, (command, listen): (&'static str, String)) {
        self.start_role(name, command, &listen);
    }

    /// `kill -9`, then the same role again on the same address.
    pub fn kill_and_restart(&mut self, name: &str) {
        let how = self.kill(name);
        self.restart(name, how);
    }

    /// Whether role `name` still runs (it must survive what the scenario does to others).
    pub fn running(&mut self, name: &str) -> bool {
        self.roles.get_mut(name).is_some_and(|role| role.child.try_wait().unwrap().is_none())
    }

    pub fn api(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.api_port)
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let response = self.http.post(self.api(path)).json(&body).send().await.expect("POST");
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "POST {path} answered {status}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    pub async fn get(&self, path: &str) -> Value {
        let response = self.http.get(self.api(path)).send().await.expect("GET");
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "GET {path} answered {status}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// A small Gaussian dataset (200 rows of 3 variables).
    pub async fn dataset(&self) -> Value {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS causeway_data.chaos_obs AS \
             SELECT a, a + b AS c, b FROM (SELECT sin(i) AS a, cos(i * 7) AS b FROM generate_series(1, 200) i) s",
        )
        .execute(&self.pool)
        .await
        .unwrap();
        self.post("/api/datasets", json!({"name": "chaos", "load_query": "SELECT * FROM chaos_obs"})).await
    }

    /// The id of the algorithm of catalogue `package` and `function`.
    pub async fn algorithm(&self, package: &str, function: &str) -> Value {
        let algorithms = self.get("/api/algorithms").await;
        algorithms
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["package"] == package && a["function"] == function)
            .unwrap_or_else(|| panic!("no algorithm {package} {function}"))["id"]
            .clone()
    }

    pub async fn experiment(&self, dataset: &Value, algorithm: Value, parameters: Value) -> Value {
        self.post(
            "/api/experiments",
            json!({"name": "chaos", "dataset_id": dataset["id"], "algorithm_id": algorithm, "parameters": parameters}),
        )
        .await
    }

    /// An experiment running the native PC over [`Cluster::dataset`]: a run takes a fraction of
    /// a second.
    pub async fn native_pc_experiment(&self) -> Value {
        let dataset = self.dataset().await;
        let pc = self.algorithm("causeway", "pc").await;
        self.experiment(&dataset, pc, json!({"alpha": 0.05, "independence_test": "gaussCI", "cores": 1}))
            .await
    }

    /// `causeway catalogue load` of one entry (the way an operator adds a local command).
    pub fn load_catalogue_entry(&self, entry: Value) {
        let path = self.dir.path().join("catalogue.json");
        std::fs::write(&path, json!({"version": 1, "algorithms": [entry]}).to_string()).unwrap();
        let status = self
            .command("catalogue")
            .arg("load")
            .arg(&path)
            .stdout(self.log_file("catalogue"))
            .stderr(self.log_file("catalogue"))
            .status()
            .unwrap();
        assert!(status.success(), "causeway catalogue load failed:\n{}", self.log("catalogue"));
    }

    /// Queues `runs` parallel runs of the experiment.
    pub async fn start_runs(&self, experiment: &Value, runs: usize) {
        self.post(
            &format!("/api/experiment/{}/start", experiment["id"]),
            json!({"runs": runs, "parallel": true}),
        )
        .await;
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for role in self.roles.values_mut() {
            signal(&role.child, libc::SIGKILL);
            let _ = role.child.wait();
        }
        // Runs left behind (a failed scenario) lead sessions of their own: end them by the pids
        // their supervisors recorded.
        for run in causeway::launcher::run_dir::RunDir::list(&self.work_dir()).unwrap_or_default() {
            if let Some(record) = run.record().filter(|_| run.alive()) {
                signal_pid(record.pid, libc::SIGKILL);
            }
        }
        self.nats.kill();
        self.pg.stop_immediately();
    }
}
