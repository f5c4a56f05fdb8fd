//! The durable record of a local run: one folder per job, `<work dir>/job-<id>/`, holding
//!
//! - `output.log`: the run's stdout and stderr;
//! - `run.json`: written by the supervisor before it starts the executor: its pid (= process
//!   group and session id) and the process start time, so a reused pid is never mistaken for
//!   the run;
//! - `exit`: the executor's exit status, written by the supervisor when it ends.
//!
//! Every file is written to a temporary name and renamed, so a reader sees all of it or none.
//! The folder, not the scheduler's memory, is what a (restarted) scheduler observes.

use std::{
    io::Write,
    path::{Path, PathBuf},
    time::Duration,
};

use serde::{Deserialize, Serialize};

use super::RunState;

const RECORD: &str = "run.json";
const EXIT: &str = "exit";
const LOG: &str = "output.log";

/// How long a run folder may lack its record before the run counts as never started (the
/// supervisor writes it within milliseconds of being spawned).
pub const RECORD_GRACE: Duration = Duration::from_secs(10);

/// What the supervisor records about itself.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The supervisor's pid; it leads its own session and process group, so this is also the
    /// group id its executor runs in.
    pub pid: i32,
    /// Start time of that pid in clock ticks since boot (`/proc/<pid>/stat` field 22).
    pub start_ticks: u64,
}

/// One run folder.
#[derive(Debug, Clone)]
pub struct RunDir {
    pub job_id: i32,
    pub path: PathBuf,
}

impl RunDir {
    pub fn new(work_dir: &Path, job_id: i32) -> Self {
        RunDir { job_id, path: work_dir.join(format!("job-{job_id}")) }
    }

    /// The job id of a folder name `job-<id>`.
    pub fn parse(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        let job_id = name.strip_prefix("job-")?.parse().ok()?;
        Some(RunDir { job_id, path: path.to_path_buf() })
    }

    /// Every run folder under `work_dir`.
    pub fn list(work_dir: &Path) -> std::io::Result<Vec<RunDir>> {
        let mut dirs = vec![];
        for entry in std::fs::read_dir(work_dir)? {
            let entry = entry?;
            if entry.file_type()?.is_dir()
                && let Some(dir) = RunDir::parse(&entry.path())
            {
                dirs.push(dir);
            }
        }
        dirs.sort_by_key(|d| d.job_id);
        Ok(dirs)
    }

    pub fn log_path(&self) -> PathBuf {
        self.path.join(LOG)
    }

    pub fn record_path(&self) -> PathBuf {
        self.path.join(RECORD)
    }

    pub fn exit_path(&self) -> PathBuf {
        self.path.join(EXIT)
    }

    pub fn record(&self) -> Option<RunRecord> {
        let text = std::fs::read(self.record_path()).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// The exit status the supervisor recorded (`None`: not ended, or the supervisor was killed).
    pub fn exit_code(&self) -> Option<i32> {
        std::fs::read_to_string(self.exit_path()).ok()?.trim().parse().ok()
    }

    /// Whether the recorded supervisor is still alive (same pid, same start time, not a zombie).
    pub fn alive(&self) -> bool {
        self.record().is_some_and(|record| process_start(record.pid) == Some(record.start_ticks))
    }

    /// A folder whose supervisor never recorded itself within [`RECORD_GRACE`]: the scheduler
    /// stopped between making the folder and starting the supervisor, so there is no run (the
    /// job goes back to `waiting` like any claim that was never launched).
    pub fn never_started(&self) -> bool {
        self.exit_code().is_none() && self.record().is_none() && self.age() >= RECORD_GRACE
    }

    fn age(&self) -> Duration {
        std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .unwrap_or_default()
    }

    /// What the folder says about the run.
    pub fn state(&self) -> RunState {
        if let Some(code) = self.exit_code() {
            return exit_state(code);
        }
        if self.record().is_none() {
            return if self.age() < RECORD_GRACE {
                RunState::Pending
            } else {
                RunState::Failed { exit_code: None }
            };
        }
        if self.alive() {
            return RunState::Running;
        }
        // It may have written its status between the first look and the liveness check.
        match self.exit_code() {
            Some(code) => exit_state(code),
            None => RunState::Failed { exit_code: None },
        }
    }
}

fn exit_state(code: i32) -> RunState {
    if code == 0 { RunState::Succeeded } else { RunState::Failed { exit_code: Some(code) } }
}

/// Start time of a live (non-zombie) process, from `/proc/<pid>/stat`.
pub fn process_start(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&stat)
}

/// Field 22 (start time) of a `/proc/<pid>/stat` line, `None` for a zombie or dead process.
/// The command name (field 2) may contain spaces and parentheses, so fields are counted after
/// its last `)`.
fn parse_stat(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 (state); field 22 is fields[19].
    if matches!(fields.first(), Some(&"Z") | Some(&"X") | Some(&"x")) {
        return None;
    }
    fields.get(19)?.parse().ok()
}

/// Writes `contents` to `path` atomically: a temporary file in the same folder, synced, then
/// renamed over `path`.
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temporary = path.with_file_name(format!(".{name}.tmp"));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(contents)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    if let Some(dir) = path.parent()
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_time_is_read_after_the_command_name_and_zombies_count_as_dead() {
        let line = "4242 (py (thon) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
        assert_eq!(parse_stat(line), Some(987654));
        let zombie = "4242 (python) Z 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 0 0";
        assert_eq!(parse_stat(zombie), None);
        assert!(process_start(std::process::id() as i32).is_some(), "this process is alive");
    }

    #[test]
    fn a_folder_says_how_its_run_went() {
        let work = tempfile::tempdir().unwrap();
        let dir = RunDir::new(work.path(), 7);
        std::fs::create_dir_all(&dir.path).unwrap();
        assert_eq!(dir.state(), RunState::Pending, "a fresh folder without a record");
        assert!(!dir.never_started(), "its supervisor may still record itself");
        let past = std::time::SystemTime::now() - RECORD_GRACE - Duration::from_secs(1);
        std::fs::File::open(&dir.path).unwrap().set_modified(past).unwrap();
        assert!(dir.never_started(), "no record after the grace: nothing ever ran");
        // A record of this (live) process: running.
        let me = std::process::id() as i32;
        let record = RunRecord { pid: me, start_ticks: process_start(me).unwrap() };
        write_atomically(&dir.record_path(), &serde_json::to_vec(&record).unwrap()).unwrap();
        assert_eq!(dir.state(), RunState::Running);
        // The same pid with another start time is a reused pid: not the run.
        let reused = RunRecord { start_ticks: record.start_ticks + 1, ..record };
        write_atomically(&dir.record_path(), &serde_json::to_vec(&reused).unwrap()).unwrap();
        assert_eq!(dir.state(), RunState::Failed { exit_code: None });
        write_atomically(&dir.exit_path(), b"3\n").unwrap();
        assert_eq!(dir.state(), RunState::Failed { exit_code: Some(3) });
        write_atomically(&dir.exit_path(), b"0\n").unwrap();
        assert_eq!(dir.state(), RunState::Succeeded);
        let listed = RunDir::list(work.path()).unwrap();
        assert_eq!(listed.iter().map(|d| d.job_id).collect::<Vec<_>>(), [7]);
    }
}
