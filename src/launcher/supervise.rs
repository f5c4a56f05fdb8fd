//! `causeway supervise --run-dir <dir> -- <program> <args…>`: what the local launcher starts
//! for each run. It records itself in the run folder, runs the executor, and records the
//! executor's exit status, so that the scheduler that started it may die and a restarted one
//! still learns how the run went ([`super::run_dir`]).
//!
//! The launcher starts it as the leader of a new session (so it is in neither the scheduler's
//! process group nor its terminal's), with stdout and stderr on the run log; the executor
//! inherits all of that.

use std::{ffi::OsString, os::unix::process::ExitStatusExt, path::PathBuf, process::Command};

use super::run_dir::{RunDir, RunRecord, process_start, write_atomically};

#[derive(Debug, Clone, clap::Args)]
pub struct SuperviseOptions {
    /// The run folder (`<work dir>/job-<id>`).
    #[arg(long)]
    pub run_dir: PathBuf,
    /// The executor's program and arguments, after `--`.
    #[arg(last = true, required = true)]
    pub command: Vec<OsString>,
}

/// Runs the executor to its end; returns the exit status to exit with (128 + signal when it
/// was killed, 127 when it could not be started).
pub fn run(options: SuperviseOptions) -> i32 {
    let dir = RunDir { job_id: 0, path: options.run_dir };
    let pid = std::process::id() as i32;
    let record = RunRecord { pid, start_ticks: process_start(pid).unwrap_or_default() };
    // The run's stderr is its log: that is where these messages belong.
    if let Err(err) = serde_json::to_vec(&record)
        .map_err(std::io::Error::other)
        .and_then(|bytes| write_atomically(&dir.record_path(), &bytes))
    {
        eprintln!("causeway supervise: cannot record the run in {}: {err}", dir.path.display());
    }
    let (program, args) = options.command.split_first().expect("clap requires a command");
    let code = match Command::new(program).args(args).status() {
        Ok(status) => status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or_default()),
        Err(err) => {
            eprintln!("causeway supervise: cannot start {}: {err}", program.to_string_lossy());
            127
        }
    };
    if let Err(err) = write_atomically(&dir.exit_path(), format!("{code}\n").as_bytes()) {
        eprintln!("causeway supervise: cannot record the exit status {code}: {err}");
    }
    code
}
