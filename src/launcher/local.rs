//! The local launcher: each run is a child process of the scheduler, in its own process group,
//! with stdout and stderr written to a log file (so live logs cost no memory).

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

use super::{LaunchError, LaunchSpec, Launcher, RunObservation, RunState};

struct LocalRun {
    container_id: String,
    child: Child,
    log_path: PathBuf,
    state: RunState,
}

/// Where the local launcher keeps logs and finds the programs catalogue commands name.
#[derive(Debug, Clone)]
pub struct LocalSettings {
    /// Folder of the run logs.
    pub work_dir: PathBuf,
    /// The `causeway` executable; Causeway's own tools (`causeway-pc`, …) are installed next to
    /// it (a cargo build puts them there). `None`: this executable.
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
            work_dir: PathBuf::from(&config.work_dir),
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

pub struct LocalLauncher {
    work_dir: PathBuf,
    tools_dir: Option<PathBuf>,
    executors_dir: PathBuf,
    python: PathBuf,
    runs: Mutex<HashMap<i32, LocalRun>>,
}

impl LocalLauncher {
    pub fn new(settings: LocalSettings) -> anyhow::Result<Self> {
        let LocalSettings { work_dir, causeway_bin, executors_dir, python } = settings;
        std::fs::create_dir_all(&work_dir)
            .with_context(|| format!("creating the work folder {}", work_dir.display()))?;
        let causeway = causeway_bin.or_else(|| std::env::current_exe().ok());
        let tools_dir = causeway.and_then(|path| path.parent().map(PathBuf::from));
        Ok(LocalLauncher { work_dir, tools_dir, executors_dir, python, runs: Mutex::new(HashMap::new()) })
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
        let (program, args) = self.command_line(command, &spec.args)?;
        let log = std::fs::File::create(&log_path).context("creating the run log")?;
        let child = Command::new(&program)
            .args(&args)
            .envs(&spec.env)
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("sharing the run log")?)
            .stderr(log)
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|err| LaunchError::NotRunnable(format!("starting {}: {err}", program.display())))?;
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
