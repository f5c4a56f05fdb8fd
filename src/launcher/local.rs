//! The local launcher: each run is a child process of the scheduler, in its own process group,
//! with stdout and stderr written to a log file (so live logs cost no memory).

use std::{collections::HashMap, path::PathBuf, process::Stdio};

use anyhow::Context;
use async_trait::async_trait;
use tokio::{
    process::{Child, Command},
    sync::Mutex,
};

use super::{LaunchError, LaunchSpec, Launcher, RunObservation, RunState};

struct LocalRun {
    container_id: String,
    child: Child,
    log_path: PathBuf,
    state: RunState,
}

pub struct LocalLauncher {
    work_dir: PathBuf,
    /// Where Causeway's own tools (`causeway-pc`, …) are installed: next to `causeway`.
    tools_dir: Option<PathBuf>,
    runs: Mutex<HashMap<i32, LocalRun>>,
}

impl LocalLauncher {
    /// `causeway_bin` is the `causeway` executable; programs named without a path are looked
    /// up next to it first (a cargo build puts `causeway-pc` there), then on `PATH`.
    pub fn new(work_dir: impl Into<PathBuf>, causeway_bin: Option<&str>) -> anyhow::Result<Self> {
        let work_dir = work_dir.into();
        std::fs::create_dir_all(&work_dir)
            .with_context(|| format!("creating the work folder {}", work_dir.display()))?;
        let causeway = match causeway_bin {
            Some(path) => Some(PathBuf::from(path)),
            None => std::env::current_exe().ok(),
        };
        let tools_dir = causeway.and_then(|path| path.parent().map(PathBuf::from));
        Ok(LocalLauncher { work_dir, tools_dir, runs: Mutex::new(HashMap::new()) })
    }

    fn resolve(&self, program: &str) -> PathBuf {
        if !program.contains('/')
            && let Some(dir) = &self.tools_dir
        {
            let sibling = dir.join(program);
            if sibling.is_file() {
                return sibling;
            }
        }
        PathBuf::from(program)
    }

    fn refresh(run: &mut LocalRun) {
        if run.state.is_finished() {
            return;
        }
        if let Ok(Some(status)) = run.child.try_wait() {
            run.state = if status.success() {
                RunState::Succeeded
            } else {
                RunState::Failed { exit_code: status.code() }
            };
        }
    }
}

/// Kills the whole process group, so that interpreters' children go too.
async fn kill_group(child: &mut Child) {
    // The child leads its own group (`process_group(0)`), so its pid is the group id. Only an id
    // above 1 is passed: killpg(1) or killpg(0) would signal other processes. (Not `kill -KILL
    // -<pid>`: procps-ng 4.0.2 turns that into kill(-1), which ends every process.)
    if let Some(group) = child.id().and_then(|pid| i32::try_from(pid).ok()).filter(|&pid| pid > 1) {
        // SAFETY: killpg only sends a signal; it touches no memory of this process.
        unsafe {
            libc::killpg(group, libc::SIGKILL);
        }
    }
    let _ = child.kill().await;
}

#[async_trait]
impl Launcher for LocalLauncher {
    async fn launch(&self, spec: &LaunchSpec) -> Result<String, LaunchError> {
        let Some(command) = spec.local_command.as_ref().filter(|c| !c.is_empty()) else {
            return Err(LaunchError::NotRunnable(format!(
                "job {}: the algorithm has no local command; it runs only as an image ({})",
                spec.job_id,
                spec.image.as_deref().unwrap_or("none")
            )));
        };
        let container_id = format!("local-{}", spec.job_id);
        let log_path = self.work_dir.join(format!("job-{}.log", spec.job_id));
        let log = std::fs::File::create(&log_path).context("creating the run log")?;
        let child = Command::new(self.resolve(&command[0]))
            .args(&command[1..])
            .args(&spec.args)
            .envs(&spec.env)
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("sharing the run log")?)
            .stderr(log)
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|err| LaunchError::NotRunnable(format!("starting {:?}: {err}", command[0])))?;
        tracing::info!(job_id = spec.job_id, pid = child.id(), program = command[0], "local run started");
        self.runs.lock().await.insert(
            spec.job_id,
            LocalRun { container_id: container_id.clone(), child, log_path, state: RunState::Running },
        );
        Ok(container_id)
    }

    async fn observe(&self) -> anyhow::Result<Vec<RunObservation>> {
        let mut runs = self.runs.lock().await;
        Ok(runs
            .iter_mut()
            .map(|(&job_id, run)| {
                Self::refresh(run);
                RunObservation { job_id, container_id: run.container_id.clone(), state: run.state.clone() }
            })
            .collect())
    }

    async fn stop(&self, job_id: i32) -> anyhow::Result<()> {
        let mut runs = self.runs.lock().await;
        if let Some(run) = runs.get_mut(&job_id) {
            Self::refresh(run);
            if !run.state.is_finished() {
                kill_group(&mut run.child).await;
                run.state = RunState::Failed { exit_code: None };
                tracing::info!(job_id, "local run stopped");
            }
        }
        Ok(())
    }

    async fn logs(&self, job_id: i32) -> anyhow::Result<Option<String>> {
        let path = self.runs.lock().await.get(&job_id).map(|run| run.log_path.clone());
        match path {
            Some(path) => {
                let bytes =
                    tokio::fs::read(&path).await.with_context(|| format!("reading {}", path.display()))?;
                Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
            }
            None => Ok(None),
        }
    }

    async fn cleanup(&self, job_id: i32) -> anyhow::Result<()> {
        if let Some(mut run) = self.runs.lock().await.remove(&job_id) {
            Self::refresh(&mut run);
            if !run.state.is_finished() {
                kill_group(&mut run.child).await;
            }
            let _ = tokio::fs::remove_file(&run.log_path).await;
        }
        Ok(())
    }

    async fn nodes(&self) -> anyhow::Result<Vec<String>> {
        let name = std::fs::read_to_string("/etc/hostname").unwrap_or_else(|_| "localhost".into());
        Ok(vec![name.trim().to_owned()])
    }
}
