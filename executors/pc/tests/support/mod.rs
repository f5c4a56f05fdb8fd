//! causal-learn's side of the cross-checks, shared by `tests/causal_learn.rs` and
//! `benches/pc.rs` (which includes this file by path).

use std::path::{Path, PathBuf};
use std::process::Command;

use causeway_pc::data::parse_csv;
use causeway_pc::synth::to_csv;
use serde_json::Value;

/// The Python with causal-learn and pgmpy: `CAUSEWAY_CAUSAL_LEARN_PYTHON`, else the executors'
/// virtual environment (`scripts/python-env --dev`); `Err` names what is missing.
pub fn causal_learn_python() -> Result<String, String> {
    let python = std::env::var("CAUSEWAY_CAUSAL_LEARN_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../python/.venv/bin/python").into());
    if Path::new(&python).is_file() {
        Ok(python)
    } else {
        Err(format!(
            "{python} is missing: run `scripts/python-env --dev` or set CAUSEWAY_CAUSAL_LEARN_PYTHON"
        ))
    }
}

fn scratch_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("causeway-pc-{name}-{}.csv", std::process::id()))
}

/// causal-learn's `pc(..., stable=True)` on `cols` (`compare_causal_learn.py`): its JSON with
/// skeleton, sepsets, CPDAG, number of tests and seconds.
pub fn causal_learn_pc(python: &str, name: &str, cols: &[Vec<f64>], test: &str, alpha: f64) -> Value {
    let header: Vec<String> = (0..cols.len()).map(|i| format!("V{i}")).collect();
    let path = scratch_file(name);
    std::fs::write(&path, to_csv(&header, cols)).expect("writing the data");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/compare_causal_learn.py");
    let out = Command::new(python)
        .args(["-W", "ignore", script])
        .arg(&path)
        .arg(test)
        .arg(alpha.to_string())
        .output()
        .expect("running causal-learn");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "causal-learn: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("causal-learn's JSON")
}

/// `rows` forward-sampled from the ALARM network pgmpy ships (`tests/alarm_sample.py`), as
/// columns of category codes.
pub fn alarm_sample(python: &str, rows: usize, seed: u64) -> Vec<Vec<f64>> {
    let path = scratch_file("alarm");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/alarm_sample.py");
    let out = Command::new(python)
        .args(["-W", "ignore", script])
        .arg(&path)
        .args([rows.to_string(), seed.to_string()])
        .output()
        .expect("running pgmpy");
    assert!(out.status.success(), "sampling ALARM with pgmpy: {}", String::from_utf8_lossy(&out.stderr));
    let data = parse_csv(&std::fs::read_to_string(&path).expect("the ALARM sample")).expect("ALARM CSV");
    let _ = std::fs::remove_file(&path);
    data.columns
}
