//! Launchers start, watch and stop algorithm runs: `local` (child processes on this machine) and
//! `kubernetes` (batch/v1 Jobs). The scheduler talks to them only through [`Launcher`].

pub mod kubernetes;
pub mod local;
pub mod run_dir;
pub mod supervise;

use std::collections::HashMap;

use async_trait::async_trait;

/// The launcher the configuration asks for.
pub async fn from_config(config: &crate::config::Config) -> anyhow::Result<std::sync::Arc<dyn Launcher>> {
    use crate::config::LauncherKind;
    Ok(match config.launcher {
        LauncherKind::Local => {
            std::sync::Arc::new(local::LocalLauncher::new(local::LocalSettings::from_config(config))?)
        }
        LauncherKind::Kubernetes => std::sync::Arc::new(
            kubernetes::KubernetesLauncher::connect(kubernetes::KubernetesSettings {
                api_url: config.k8s_api_url.clone(),
                namespace: config.k8s_namespace.clone(),
                release: config.release_name.clone(),
                image_namespace: config.image_namespace.clone(),
                image_allowlist: config.image_allowlist.clone(),
            })
            .await?,
        ),
    })
}

/// Whether an algorithm can run under the configured launcher: locally it needs a
/// `local_command`, in the cluster a `docker_image`. `Err` says where it can run instead. An
/// algorithm with neither is not refused here: its jobs fail at launch with the reason, as in
/// MPCSL (external executors may still upload results for them).
pub fn runs_here(
    launcher: crate::config::LauncherKind,
    local_command: Option<&serde_json::Value>,
    docker_image: Option<&str>,
) -> Result<(), String> {
    use crate::config::LauncherKind;
    let local = local_command.is_some_and(|c| c.as_array().is_some_and(|a| !a.is_empty()));
    let image = docker_image.is_some_and(|i| !i.is_empty());
    match (launcher, local, image) {
        (LauncherKind::Local, true, _) | (LauncherKind::Kubernetes, _, true) => Ok(()),
        (LauncherKind::Local, false, true) => Err(format!(
            "it runs on Kubernetes only (image {}), and this installation runs jobs on this machine \
             (CAUSEWAY_LAUNCHER=local)",
            docker_image.unwrap_or_default()
        )),
        (LauncherKind::Kubernetes, true, false) => {
            Err("it runs on a single machine only (it has a local command but no image), and this \
             installation runs jobs on Kubernetes"
                .into())
        }
        (_, false, false) => Ok(()),
    }
}

/// Everything a launcher needs to start one run (executor-contract.md §1, job-lifecycle.md §4).
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchSpec {
    pub job_id: i32,
    /// Program and leading arguments for a local run (the catalogue's `local_command`).
    pub local_command: Option<Vec<String>>,
    /// Image name without registry namespace (the catalogue's `docker_image`).
    pub image: Option<String>,
    /// Arguments after the program: the script name, `-j`, `-d`, `--api_host`, … .
    pub args: Vec<String>,
    /// Cluster node to pin the run to (`kubernetes.io/hostname`).
    pub node: Option<String>,
    /// CPU count to request and limit (only when the job enforces CPUs).
    pub cpus: Option<String>,
    pub gpus: Option<i32>,
    /// Environment for the run (e.g. thread counts for a local run).
    pub env: HashMap<String, String>,
}

/// What a launcher sees of a run.
#[derive(Debug, Clone, PartialEq)]
pub enum RunState {
    /// Created, not running yet (pod pending).
    Pending,
    Running,
    /// Ended with exit status 0.
    Succeeded,
    /// Ended with a non-zero exit status (or was killed).
    Failed {
        exit_code: Option<i32>,
    },
    /// The cluster cannot place it (error code -1).
    Unschedulable,
    /// Its image cannot be pulled (error code -2).
    ImageNotFound,
}

impl RunState {
    pub fn is_finished(&self) -> bool {
        matches!(self, RunState::Succeeded | RunState::Failed { .. })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunObservation {
    pub job_id: i32,
    pub container_id: String,
    pub state: RunState,
}

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The algorithm cannot run with this launcher (e.g. no local command).
    #[error("{0}")]
    NotRunnable(String),
    /// A run of this job is alive already (its container id): it is adopted, not doubled.
    #[error("a run of this job is alive already: {0}")]
    AlreadyRunning(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

#[async_trait]
pub trait Launcher: Send + Sync + 'static {
    /// Starts a run; returns its container id (process or Kubernetes Job name).
    async fn launch(&self, spec: &LaunchSpec) -> Result<String, LaunchError>;
    /// Every run this launcher knows of, finished or not.
    async fn observe(&self) -> anyhow::Result<Vec<RunObservation>>;
    /// Stops a job's run (no error when it already ended).
    async fn stop(&self, job_id: i32) -> anyhow::Result<()>;
    /// The output of a job's run so far (`None` when there is no such run).
    async fn logs(&self, job_id: i32) -> anyhow::Result<Option<String>>;
    /// Forgets a job's finished run and frees what it held.
    async fn cleanup(&self, job_id: i32) -> anyhow::Result<()>;
    /// Names of the machines runs can be pinned to.
    async fn nodes(&self) -> anyhow::Result<Vec<String>>;
}
