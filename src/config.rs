//! The one typed configuration of every role: flags with environment fallbacks.
//!
//! Parsed once in `main` and passed down; nothing else reads the environment. Tests build a
//! `Config` directly (see `Config::for_database`).

use std::{fmt, net::SocketAddr, time::Duration};

use clap::Args;

/// Settings shared by every role.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Postgres URL of Causeway's own database (the system of record and the `postgres` source).
    #[arg(long, env = "DATABASE_URL", default_value = "postgres://postgres@127.0.0.1:5432/causeway")]
    pub database_url: Secret,

    /// NATS server URL (JetStream must be enabled); `nats://user:password@host:4222` logs in.
    #[arg(long, env = "NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats_url: Secret,

    /// Address the HTTP server listens on (port 0 picks a free port).
    #[arg(long, env = "CAUSEWAY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Extra data sources as a JSON object, source name → connection URL
    /// (`postgres://…` or `mysql://…`). The source `postgres` is always Causeway's own database.
    #[arg(long, env = "CAUSEWAY_DATA_SOURCES", default_value = "{}", value_parser = parse_data_sources)]
    pub data_sources: DataSourceUrls,

    /// Statement timeout for dataset queries (user SQL), e.g. `60s`, `5m`, `500ms`.
    #[arg(long, env = "CAUSEWAY_QUERY_TIMEOUT", default_value = "120s", value_parser = parse_duration)]
    pub query_timeout: Duration,

    /// Folder with the built frontend (served at `/`). Missing folder: the API still works.
    #[arg(long, env = "CAUSEWAY_FRONTEND_DIR", default_value = "frontend/dist")]
    pub frontend_dir: String,

    /// Store uploaded separating sets (MPCSL's LOAD_SEPARATION_SET).
    #[arg(long, env = "CAUSEWAY_LOAD_SEPARATION_SET", default_value_t = false, action = clap::ArgAction::Set)]
    pub load_separation_set: bool,

    /// Serve Socket.IO at `/socket.io` (MPCSL's UI events) besides `/ws` (api and up only).
    #[arg(long, env = "CAUSEWAY_SOCKETIO", default_value_t = true, action = clap::ArgAction::Set)]
    pub socketio: bool,

    /// Log format: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "CAUSEWAY_LOG_FORMAT", default_value = "pretty")]
    pub log_format: LogFormat,

    /// First token of every NATS subject and of the JetStream stream name: events go to
    /// `<prefix>.events.<entity>.<id>.<what>` in stream `<PREFIX>_EVENTS`.
    #[arg(long, env = "CAUSEWAY_NATS_PREFIX", default_value = "causeway", value_parser = parse_subject_token)]
    pub nats_prefix: String,

    /// How often the scheduler looks for waiting jobs even without a `job.created` event.
    #[arg(long, env = "CAUSEWAY_SCHEDULER_POLL", default_value = "5s", value_parser = parse_duration)]
    pub scheduler_poll: Duration,

    /// Where algorithm runs happen: `local` (child processes) or `kubernetes`.
    #[arg(long, env = "CAUSEWAY_LAUNCHER", default_value = "local")]
    pub launcher: LauncherKind,

    /// host[:port] under which executors reach the collector (passed as `--api_host`).
    /// Default: the listen address.
    #[arg(long, env = "CAUSEWAY_API_HOST")]
    pub api_host: Option<String>,

    /// Refuse executor uploads that do not carry their job's token (`/t/<token>/api/…`).
    #[arg(long, env = "CAUSEWAY_REQUIRE_UPLOAD_TOKEN", default_value_t = false, action = clap::ArgAction::Set)]
    pub require_upload_token: bool,

    /// Stop and fail runs that take longer than this (e.g. `2h`); unset: no limit.
    #[arg(long, env = "CAUSEWAY_JOB_TIMEOUT", value_parser = parse_duration)]
    pub job_timeout: Option<Duration>,

    /// How long a run may go on after its executor reported the job's end (uploaded a result,
    /// or reported a failure) before it is stopped, so that its last log lines are kept.
    #[arg(long, env = "CAUSEWAY_EXIT_GRACE", default_value = "30s", value_parser = parse_duration)]
    pub exit_grace: Duration,

    /// Kubernetes API server URL for the kubernetes launcher (unset: in-cluster configuration).
    #[arg(long, env = "CAUSEWAY_K8S_API_URL")]
    pub k8s_api_url: Option<String>,

    /// Namespace of executor Jobs.
    #[arg(long, env = "CAUSEWAY_K8S_NAMESPACE", default_value = "default")]
    pub k8s_namespace: String,

    /// Prefix of executor Job names: `<release>-execute-<job id>`.
    #[arg(long, env = "CAUSEWAY_RELEASE_NAME", default_value = "causeway")]
    pub release_name: String,

    /// Registry namespace of executor images (`<namespace>/<docker_image>`).
    #[arg(long, env = "CAUSEWAY_IMAGE_NAMESPACE", default_value = "")]
    pub image_namespace: String,

    /// The `causeway` executable that runs built-in tools such as the dataset generator on a
    /// local run (default: this executable).
    #[arg(long, env = "CAUSEWAY_BIN")]
    pub causeway_bin: Option<String>,

    /// The repository's executor folder (`executors/`), named `{executors}` in catalogue
    /// commands; relative to the current folder.
    #[arg(long, env = "CAUSEWAY_EXECUTORS_DIR", default_value = "executors")]
    pub executors_dir: String,

    /// Python of the Python executors (`{python}` in catalogue commands). Default: the virtual
    /// environment `scripts/python-env` creates, `<executors dir>/python/.venv/bin/python`.
    #[arg(long, env = "CAUSEWAY_PYTHON")]
    pub python: Option<String>,

    /// Image name prefixes an algorithm's `docker_image` must start with (comma-separated).
    /// Algorithms with other images are refused at `POST /api/algorithms` and never launched.
    #[arg(long, env = "CAUSEWAY_IMAGE_ALLOWLIST", default_value = "causeway_,mpci_", value_delimiter = ',')]
    pub image_allowlist: Vec<String>,

    /// The database role user SQL on the `postgres` source runs as (created by `migrate`:
    /// login, no other privilege, SELECT on `causeway_data` and `CAUSEWAY_QUERY_SCHEMAS`).
    #[arg(long, env = "CAUSEWAY_QUERY_ROLE", default_value = "causeway_query")]
    pub query_role: String,

    /// Password of the query role (set by `migrate`); unset: log in without one (trust/peer).
    #[arg(long, env = "CAUSEWAY_QUERY_PASSWORD")]
    pub query_password: Option<Secret>,

    /// More schemas of Causeway's database that dataset queries may read (comma-separated),
    /// besides `causeway_data`.
    #[arg(long, env = "CAUSEWAY_QUERY_SCHEMAS", default_value = "", value_delimiter = ',')]
    pub query_schemas: Vec<String>,

    /// Who may call the API: `off` (everyone, as MPCSL; the default only while the listen
    /// address is loopback), `off-insecure` (everyone, on any address, on purpose), `token`
    /// (API tokens, `causeway token create`) or `oidc` (JWTs of CAUSEWAY_OIDC_ISSUER).
    #[arg(long = "auth", env = "CAUSEWAY_AUTH")]
    pub auth: Option<AuthMode>,

    /// OIDC issuer URL (its `/.well-known/openid-configuration` names the JWKS).
    #[arg(long, env = "CAUSEWAY_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// The audience (`aud`) tokens must carry; usually the API's client id.
    #[arg(long, env = "CAUSEWAY_OIDC_AUDIENCE")]
    pub oidc_audience: Option<String>,

    /// The claim that holds the caller's role(s): a string or a list; dots walk into objects
    /// (Keycloak: `realm_access.roles`).
    #[arg(long, env = "CAUSEWAY_OIDC_ROLE_CLAIM", default_value = "roles")]
    pub oidc_role_claim: String,

    /// Claim values → roles, e.g. `causeway-admins=admin,causeway-users=editor`. Values
    /// `viewer`, `editor` and `admin` always map to themselves; the highest role wins.
    #[arg(long, env = "CAUSEWAY_OIDC_ROLE_MAP", default_value = "", value_parser = parse_role_map)]
    pub oidc_role_map: RoleMap,

    /// The web UI's OIDC client id (a public client; authorization code with PKCE).
    #[arg(long, env = "CAUSEWAY_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    /// Scopes the web UI asks for.
    #[arg(long, env = "CAUSEWAY_OIDC_SCOPE", default_value = "openid profile email")]
    pub oidc_scope: String,

    /// Folder for the local launcher's run logs.
    #[arg(long, env = "CAUSEWAY_WORK_DIR", default_value = "/tmp/causeway-runs")]
    pub work_dir: String,

    /// How long a claimed (`running`) job may go without an observed run before the scheduler
    /// fails it (a scheduler that stopped between claiming and launching).
    #[arg(long, env = "CAUSEWAY_LAUNCH_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    pub launch_timeout: Duration,
}

impl Config {
    /// Defaults for everything but the database: what tests and tools start from.
    pub fn for_database(database_url: &str) -> Self {
        Config {
            database_url: Secret(database_url.to_owned()),
            nats_url: Secret("nats://127.0.0.1:4222".into()),
            listen: "127.0.0.1:0".parse().expect("valid address"),
            data_sources: DataSourceUrls::default(),
            query_timeout: Duration::from_secs(120),
            frontend_dir: "frontend/dist".into(),
            load_separation_set: false,
            socketio: true,
            log_format: LogFormat::Pretty,
            nats_prefix: "causeway".into(),
            scheduler_poll: Duration::from_secs(5),
            launcher: LauncherKind::Local,
            api_host: None,
            require_upload_token: false,
            job_timeout: None,
            exit_grace: Duration::from_secs(30),
            work_dir: std::env::temp_dir().join("causeway-runs").to_string_lossy().into_owned(),
            causeway_bin: None,
            executors_dir: "executors".into(),
            python: None,
            k8s_api_url: None,
            k8s_namespace: "default".into(),
            release_name: "causeway".into(),
            image_namespace: String::new(),
            image_allowlist: vec!["causeway_".into(), "mpci_".into()],
            query_role: "causeway_query".into(),
            query_password: None,
            query_schemas: Vec::new(),
            auth: None,
            oidc_issuer: None,
            oidc_audience: None,
            oidc_role_claim: "roles".into(),
            oidc_role_map: RoleMap::default(),
            oidc_client_id: None,
            oidc_scope: "openid profile email".into(),
            launch_timeout: Duration::from_secs(60),
        }
    }
}

impl Config {
    /// Subject prefix of lifecycle events, e.g. `causeway.events`.
    pub fn events_prefix(&self) -> String {
        format!("{}.events", self.nats_prefix)
    }

    /// Name of the JetStream stream that keeps the events, e.g. `CAUSEWAY_EVENTS`.
    pub fn events_stream(&self) -> String {
        format!("{}_EVENTS", self.nats_prefix.to_uppercase())
    }

    /// Subject of a request/reply command answered by the scheduler, e.g. `causeway.rpc.nodes`.
    pub fn rpc_subject(&self, command: &str) -> String {
        format!("{}.rpc.{command}", self.nats_prefix)
    }

    /// Whether an algorithm's `docker_image` is on the allow-list.
    pub fn image_allowed(&self, image: &str) -> bool {
        self.image_allowlist.iter().any(|prefix| !prefix.is_empty() && image.starts_with(prefix.as_str()))
    }

    /// What executors are told to use as `--api_host` (before the token is added).
    pub fn executor_api_host(&self) -> String {
        self.api_host.clone().unwrap_or_else(|| self.listen.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    Off,
    OffInsecure,
    Token,
    Oidc,
}

impl AuthMode {
    /// Everyone may do everything (MPCSL's behaviour).
    pub fn is_open(self) -> bool {
        matches!(self, AuthMode::Off | AuthMode::OffInsecure)
    }
}

impl Config {
    /// The effective authentication mode, refusing an open API on a non-loopback address
    /// unless `off-insecure` says so on purpose.
    pub fn auth_mode(&self) -> anyhow::Result<AuthMode> {
        let loopback = self.listen.ip().is_loopback();
        match self.auth {
            Some(AuthMode::Oidc) if self.oidc_issuer.is_none() => {
                anyhow::bail!("CAUSEWAY_AUTH=oidc needs CAUSEWAY_OIDC_ISSUER (and CAUSEWAY_OIDC_AUDIENCE)")
            }
            Some(mode @ (AuthMode::Token | AuthMode::Oidc | AuthMode::OffInsecure)) => Ok(mode),
            Some(AuthMode::Off) | None if loopback => Ok(AuthMode::Off),
            Some(AuthMode::Off) => anyhow::bail!(
                "CAUSEWAY_AUTH=off on {}: anyone who reaches this address could run and delete \
                 everything. Use CAUSEWAY_AUTH=token or oidc, or CAUSEWAY_AUTH=off-insecure if \
                 the network in front of it does the checking (docs/security.md)",
                self.listen
            ),
            None => anyhow::bail!(
                "CAUSEWAY_AUTH is not set and {} is not a loopback address: set CAUSEWAY_AUTH=token \
                 or oidc (or off-insecure on purpose; docs/security.md)",
                self.listen
            ),
        }
    }
}

/// OIDC claim values mapped to role names (`viewer`, `editor`, `admin`).
#[derive(Debug, Clone, Default)]
pub struct RoleMap(pub Vec<(String, String)>);

fn parse_role_map(text: &str) -> Result<RoleMap, String> {
    let mut map = Vec::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (value, role) = pair
            .split_once('=')
            .ok_or_else(|| format!("{pair:?}: use claim-value=role, e.g. admins=admin"))?;
        let role = role.trim();
        if !["viewer", "editor", "admin"].contains(&role) {
            return Err(format!("{pair:?}: the role must be viewer, editor or admin"));
        }
        map.push((value.trim().to_owned(), role.to_owned()));
    }
    Ok(RoleMap(map))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LauncherKind {
    Local,
    Kubernetes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// A connection string whose `Debug` hides the password.
#[derive(Clone)]
pub struct Secret(pub String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Secret(text.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

/// Replaces the password of `scheme://user:password@host` with `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

/// Configured remote data sources in configuration order.
#[derive(Clone, Default)]
pub struct DataSourceUrls(pub Vec<(String, String)>);

impl fmt::Debug for DataSourceUrls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter().map(|(name, url)| (name, redact_url(url)))).finish()
    }
}

fn parse_data_sources(text: &str) -> Result<DataSourceUrls, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|err| format!("CAUSEWAY_DATA_SOURCES is not JSON: {err}"))?;
    let serde_json::Value::Object(map) = value else {
        return Err("CAUSEWAY_DATA_SOURCES must be a JSON object of name → URL".into());
    };
    let mut sources = Vec::with_capacity(map.len());
    for (name, url) in map {
        let serde_json::Value::String(url) = url else {
            return Err(format!("data source {name:?}: the URL must be a string"));
        };
        if !(url.starts_with("postgres://")
            || url.starts_with("postgresql://")
            || url.starts_with("mysql://")
            || url.starts_with("mariadb://"))
        {
            return Err(format!("data source {name:?}: only postgres:// and mysql:// URLs are supported"));
        }
        sources.push((name, url));
    }
    Ok(DataSourceUrls(sources))
}

fn parse_subject_token(text: &str) -> Result<String, String> {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        Ok(text.to_owned())
    } else {
        Err(format!("{text:?}: use letters, digits, '_' or '-' (one NATS subject token)"))
    }
}

/// Parses `250ms`, `30s`, `5m`, `1h` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(split) => text.split_at(split),
        None => (text, "s"),
    };
    let number: f64 =
        number.parse().map_err(|_| format!("{text:?} is not a duration such as 30s or 500ms"))?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        "d" => number * 86400.0,
        _ => {
            return Err(format!("{text:?}: unknown unit {unit:?} (use ms, s, m or h)"));
        }
    };
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert!(parse_duration("5 parsecs").is_err());
    }

    #[test]
    fn data_sources_keep_configuration_order_and_reject_unknown_schemes() {
        let parsed =
            parse_data_sources(r#"{"zeta": "mysql://root@h/db", "alpha": "postgres://h/db"}"#).unwrap();
        let names: Vec<_> = parsed.0.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["zeta", "alpha"]);
        assert!(parse_data_sources(r#"{"x": "sqlite://file"}"#).is_err());
        assert!(parse_data_sources("[1]").is_err());
    }

    #[test]
    fn an_open_api_needs_a_loopback_address_or_says_so_on_purpose() {
        let mut config = Config::for_database("postgres://h/db");
        assert_eq!(config.auth_mode().unwrap(), AuthMode::Off);
        config.listen = "0.0.0.0:8080".parse().unwrap();
        assert!(config.auth_mode().unwrap_err().to_string().contains("CAUSEWAY_AUTH is not set"));
        config.auth = Some(AuthMode::Off);
        assert!(config.auth_mode().unwrap_err().to_string().contains("off-insecure"));
        config.auth = Some(AuthMode::OffInsecure);
        assert_eq!(config.auth_mode().unwrap(), AuthMode::OffInsecure);
        config.auth = Some(AuthMode::Oidc);
        assert!(config.auth_mode().is_err(), "oidc needs an issuer");
        config.auth = Some(AuthMode::Token);
        assert_eq!(config.auth_mode().unwrap(), AuthMode::Token);
        assert!(parse_role_map("a=admin, b = editor").is_ok());
        assert!(parse_role_map("a=root").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://u:pw@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
    }
}
