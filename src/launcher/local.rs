//! The local launcher: each run is a `causeway supervise` process (see [`super::supervise`]) that
//! leads its own session and runs the executor, with stdout and stderr written to a log file (so
//! live logs cost no memory). Everything about a run lives in its run folder
//! ([`super::run_dir`]), not in this process: runs outlive the scheduler, and a restarted
//! scheduler observes, follows, stops and cleans up the runs of the one before.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::Stdio,
};

use anyhow::Context;
use async_trait::async_trait;
use tokio::{
    process::{Child, Command},
    sync::Mutex,
};

use super::{LaunchError, LaunchSpec, Launcher, RunObservation, run_dir::RunDir};

/// Where the local launcher keeps logs and finds the programs catalogue commands name.
#[derive(Debug, Clone)]
pub struct LocalSettings {
    /// Folder of the run folders.
    pub work_dir: PathBuf,
    /// The `causeway` executable (it supervises each run); Causeway's own tools (`causeway-pc`,
    /// …) are installed next to it (a cargo build puts them there). `None`: this executable.
    pub causeway_bin: Option<PathBuf>,
    /// The repository's `executors/` folder, `{executors}` in a catalogue command.
    pub executors_dir: PathBuf,
    /// The Python of the Python executors, `{python}` in a catalogue command.
    pub python: PathBuf,
}

impl LocalSettings {
    pub fn from_config(config: &crate::config::Config) -> Self {
        let executors_dir = absolute(Path::new(&config.executors_dir));
        let python = match &config.python {
            Some(python) => PathBuf::from(python),
            None => executors_dir.join("python/.venv/bin/python"),
        };
        LocalSettings {
            work_dir: absolute(Path::new(&config.work_dir)),
            causeway_bin: config.causeway_bin.as_ref().map(PathBuf::from),
            executors_dir,
            python,
        }
    }
}

/// `path` against the current folder, so runs see the same file whatever folder they run in.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn container_id(job_id: i32) -> String {
    format!("local-{job_id}")
}

pub struct LocalLauncher {
    work_dir: PathBuf,
    /// The `causeway` executable that supervises runs.
    supervisor: PathBuf,
    tools_dir: Option<PathBuf>,
    executors_dir: PathBuf,
    python: PathBuf,
    /// Supervisors this process started, kept only to reap them when they end.
    children: Mutex<HashMap<i32, Child>>,
}

impl LocalLauncher {
    pub fn new(settings: LocalSettings) -> anyhow::Result<Self> {
        let LocalSettings { work_dir, causeway_bin, executors_dir, python } = settings;
        std::fs::create_dir_all(&work_dir)
            .with_context(|| format!("creating the work folder {}", work_dir.display()))?;
        let supervisor = causeway_bin
            .or_else(|| std::env::current_exe().ok())
            .context("finding the causeway executable that supervises local runs")?;
        let tools_dir = supervisor.parent().map(PathBuf::from);
        let left = RunDir::list(&work_dir).map(|dirs| dirs.len()).unwrap_or_default();
        if left > 0 {
            tracing::info!(
                runs = left,
                work_dir = %work_dir.display(),
                "found runs of an earlier scheduler; adopting them (live ones are followed, ended ones are read)"
            );
        }
        Ok(LocalLauncher {
            work_dir,
            supervisor,
            tools_dir,
            executors_dir,
            python,
            children: Mutex::new(HashMap::new()),
        })
    }

    /// The program and arguments of a run: the catalogue command with its placeholders filled
    /// in, then the contract's arguments (`args[0]` is the script name).
    ///
    /// Placeholders: `{python}` (the Python executors' interpreter), `{executors}` (the
    /// executors folder) and `{script}` (the catalogue's `script_filename`; a command that
    /// places it is not given it again as its first argument). Programs named without a `/`
    /// are looked up next to `causeway` first, then on `PATH`.
    fn command_line(
        &self,
        command: &[String],
        args: &[String],
    ) -> Result<(PathBuf, Vec<String>), LaunchError> {
        let script = args.first().map(String::as_str).unwrap_or_default();
        let mut places_script = false;
        let mut words = command.iter().map(|word| {
            places_script |= word.contains("{script}");
            word.replace("{python}", &self.python.to_string_lossy())
                .replace("{executors}", &self.executors_dir.to_string_lossy())
                .replace("{script}", script)
        });
        let program =
            words.next().ok_or_else(|| LaunchError::NotRunnable("the local command is empty".into()))?;
        let mut line: Vec<String> = words.collect();
        line.extend(args.iter().skip(usize::from(places_script)).cloned());
        let program = self.resolve(&program);
        if program.components().count() > 1 && !program.is_file() {
            let hint = if command[0] == "{python}" {
                " (the Python executors' virtual environment: create it with `scripts/python-env`, \
                 or set CAUSEWAY_PYTHON)"
            } else {
                ""
            };
            return Err(LaunchError::NotRunnable(format!("{} does not exist{hint}", program.display())));
        }
        Ok((program, line))
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
}

/// Kills a whole process group: the supervisor and its executor (and interpreters' children).
fn kill_group(group: i32) {
    // Only an id above 1 is passed: killpg(1) or killpg(0) would signal other processes. (Not
    // `kill -KILL -<pid>`: procps-ng 4.0.2 turns that into kill(-1), which ends every process.)
    if group > 1 {
        // SAFETY: killpg only sends a signal; it touches no memory of this process.
        unsafe {
            libc::killpg(group, libc::SIGKILL);
        }
    }
}

impl LocalLauncher {
    /// Stops the run of `dir` if it is alive, and reaps it if this process started it.
    async fn stop_run(&self, dir: &RunDir) -> bool {
        let child = self.children.lock().await.remove(&dir.job_id);
        let group = match dir.record() {
            // The recorded start time rules out a reused pid.
            Some(record) if dir.alive() => Some(record.pid),
            Some(_) => None,
            // Not recorded yet: only this process knows the pid.
            None => child.as_ref().and_then(Child::id).and_then(|pid| i32::try_from(pid).ok()),
        };
        if let Some(group) = group {
            kill_group(group);
        }
        if let Some(mut child) = child {
            let _ = child.kill().await;
        }
        group.is_some()
    }

    /// Reaps supervisors this process started that have ended (their status is in the folder).
    async fn reap(&self) {
        self.children.lock().await.retain(|_, child| !matches!(child.try_wait(), Ok(Some(_)) | Err(_)));
    }
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
        let (program, args) = self.command_line(command, &spec.args)?;
        let dir = RunDir::new(&self.work_dir, spec.job_id);
        if dir.path.exists() {
            if dir.alive() {
                return Err(LaunchError::AlreadyRunning(container_id(spec.job_id)));
            }
            // An ended run of an earlier attempt, or left by an earlier database with the same
            // job ids: not this attempt's run.
            tracing::warn!(job_id = spec.job_id, path = %dir.path.display(), "replacing a stale run folder");
            self.stop_run(&dir).await;
            std::fs::remove_dir_all(&dir.path).context("removing a stale run folder")?;
        }
        std::fs::create_dir_all(&dir.path).context("creating the run folder")?;
        let log = std::fs::File::create(dir.log_path()).context("creating the run log")?;
        let mut supervise = Command::new(&self.supervisor);
        supervise
            .arg("supervise")
            .arg("--run-dir")
            .arg(&dir.path)
            .arg("--")
            .arg(&program)
            .args(&args)
            .envs(&spec.env)
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("sharing the run log")?)
            .stderr(log);
        // SAFETY: between fork and exec only setsid runs, which is async-signal-safe. A new
        // session keeps the run out of the scheduler's process group and terminal, so neither
        // the scheduler's end nor a Ctrl-C meant for it ends the run.
        unsafe {
            supervise.pre_exec(|| {
                if libc::setsid() == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = supervise.spawn().map_err(|err| {
            LaunchError::Other(anyhow::anyhow!("starting {}: {err}", self.supervisor.display()))
        })?;
        tracing::info!(job_id = spec.job_id, pid = child.id(), program = command[0], "local run started");
        self.children.lock().await.insert(spec.job_id, child);
        Ok(container_id(spec.job_id))
    }

    async fn observe(&self) -> anyhow::Result<Vec<RunObservation>> {
        self.reap().await;
        let work_dir = self.work_dir.clone();
        tokio::task::spawn_blocking(move || {
            let dirs = RunDir::list(&work_dir)
                .with_context(|| format!("listing run folders in {}", work_dir.display()))?;
            let mut runs = Vec::with_capacity(dirs.len());
            for dir in dirs {
                if dir.never_started() {
                    // Found by the chaos suite: reported as a failed run, such a folder failed
                    // its job although nothing ever ran.
                    tracing::warn!(job_id = dir.job_id, "removing the folder of a run that never started");
                    if let Err(err) = std::fs::remove_dir_all(&dir.path) {
                        tracing::warn!(job_id = dir.job_id, error = %err, "could not remove the folder");
                    }
                    continue;
                }
                runs.push(dir);
            }
            Ok(runs
                .into_iter()
                .map(|dir| RunObservation {
                    job_id: dir.job_id,
                    container_id: container_id(dir.job_id),
                    state: dir.state(),
                })
                .collect())
        })
        .await?
    }

    async fn stop(&self, job_id: i32) -> anyhow::Result<()> {
        if self.stop_run(&RunDir::new(&self.work_dir, job_id)).await {
            tracing::info!(job_id, "local run stopped");
        }
        Ok(())
    }

    async fn logs(&self, job_id: i32) -> anyhow::Result<Option<String>> {
        let path = RunDir::new(&self.work_dir, job_id).log_path();
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(anyhow::Error::new(err).context(format!("reading {}", path.display()))),
        }
    }

    async fn cleanup(&self, job_id: i32) -> anyhow::Result<()> {
        let dir = RunDir::new(&self.work_dir, job_id);
        self.stop_run(&dir).await;
        match tokio::fs::remove_dir_all(&dir.path).await {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(anyhow::Error::new(err).context(format!("removing {}", dir.path.display()))),
        }
    }

    async fn nodes(&self) -> anyhow::Result<Vec<String>> {
        let name = std::fs::read_to_string("/etc/hostname").unwrap_or_else(|_| "localhost".into());
        Ok(vec![name.trim().to_owned()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launcher(dir: &Path) -> LocalLauncher {
        LocalLauncher::new(LocalSettings {
            work_dir: dir.join("runs"),
            causeway_bin: Some(dir.join("bin/causeway")),
            executors_dir: dir.join("executors"),
            python: dir.join("venv/bin/python"),
        })
        .unwrap()
    }

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn placeholders_name_the_python_the_executors_folder_and_the_script() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("venv/bin")).unwrap();
        std::fs::write(dir.path().join("venv/bin/python"), "").unwrap();
        let launcher = launcher(dir.path());
        let (program, args) = launcher
            .command_line(
                &words(&["{python}", "{executors}/python/{script}"]),
                &words(&["causallearn_pc.py", "-j", "7"]),
            )
            .unwrap();
        assert_eq!(program, dir.path().join("venv/bin/python"));
        let script = dir.path().join("executors/python/causallearn_pc.py");
        assert_eq!(args, vec![script.to_string_lossy().into_owned(), "-j".into(), "7".into()]);
    }

    #[test]
    fn without_a_script_placeholder_the_script_name_comes_first_and_tools_sit_next_to_causeway() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        std::fs::write(dir.path().join("bin/causeway-pc"), "").unwrap();
        let launcher = launcher(dir.path());
        let (program, args) =
            launcher.command_line(&words(&["causeway-pc"]), &words(&["pc", "-j", "7"])).unwrap();
        assert_eq!(program, dir.path().join("bin/causeway-pc"));
        assert_eq!(args, words(&["pc", "-j", "7"]));
        // Not next to causeway: left to PATH.
        let (program, _) = launcher.command_line(&words(&["Rscript"]), &words(&["x.r"])).unwrap();
        assert_eq!(program, PathBuf::from("Rscript"));
    }

    #[test]
    fn a_missing_virtual_environment_is_named_with_the_way_to_create_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = launcher(dir.path())
            .command_line(&words(&["{python}", "{executors}/python/{script}"]), &words(&["a.py"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("venv/bin/python does not exist"), "{err}");
        assert!(err.contains("scripts/python-env"), "{err}");
    }
}
