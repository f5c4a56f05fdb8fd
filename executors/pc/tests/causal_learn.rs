//! Cross-check against causal-learn's `pc(..., stable=True)` through `compare_causal_learn.py`.
//!
//! Runs only when `CAUSEWAY_CAUSAL_LEARN_PYTHON` names a Python with causal-learn installed,
//! e.g. `python3 -m venv /tmp/cl && /tmp/cl/bin/pip install causal-learn` and then
//! `CAUSEWAY_CAUSAL_LEARN_PYTHON=/tmp/cl/bin/python cargo test -p causeway-pc --test causal_learn`.
//! Otherwise each test prints a note and passes.

use std::path::PathBuf;
use std::process::Command;

use causeway_pc::ci::{CiTest, TestKind};
use causeway_pc::pc::run_pc;
use causeway_pc::rng::SplitMix64;
use causeway_pc::skeleton::{SepsetRule, SkeletonConfig};
use causeway_pc::synth::{earthquake, linear_gaussian, random_dag, to_csv};
use serde_json::Value;

const ENV: &str = "CAUSEWAY_CAUSAL_LEARN_PYTHON";

fn python() -> Option<String> {
    let py = std::env::var(ENV).ok().filter(|p| !p.is_empty());
    if py.is_none() {
        eprintln!("note: {ENV} is not set; skipping the causal-learn comparison");
    }
    py
}

/// Runs both implementations on the same data and asserts identical skeleton, sepsets, CPDAG
/// and number of distinct CI tests.
fn compare(py: &str, name: &str, cols: &[Vec<f64>], kind: TestKind, cl_test: &str, alpha: f64) {
    let header: Vec<String> = (0..cols.len()).map(|i| format!("V{i}")).collect();
    let path: PathBuf = std::env::temp_dir().join(format!("causeway-pc-{name}-{}.csv", std::process::id()));
    std::fs::write(&path, to_csv(&header, cols)).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/compare_causal_learn.py");
    let out = Command::new(py).arg(script).arg(&path).arg(cl_test).arg(alpha.to_string()).output().unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reference: Value = serde_json::from_slice(&out.stdout).unwrap();

    let test = CiTest::new(kind, cols, 2).unwrap();
    let cfg = SkeletonConfig { alpha, max_depth: None, threads: 2, sepset_rule: SepsetRule::Union };
    let ours = run_pc(&test, &cfg, |_| {}).comparison_json();
    for key in ["skeleton", "sepsets", "cpdag", "n_tests"] {
        assert_eq!(ours[key], reference[key], "{name}: {key} differs from causal-learn");
    }
    eprintln!(
        "{name}: identical to causal-learn ({} edges, {} tests; {:.3} s vs {:.3} s)",
        ours["skeleton"].as_array().unwrap().len(),
        ours["n_tests"],
        ours["seconds"].as_f64().unwrap(),
        reference["seconds"].as_f64().unwrap()
    );
}

#[test]
fn earthquake_shaped_discrete_data() {
    let Some(py) = python() else { return };
    let (net, _) = earthquake();
    let cols = net.sample(10_000, &mut SplitMix64::new(1));
    compare(&py, "earthquake-gsq", &cols, TestKind::DisCi, "gsq", 0.05);
    compare(&py, "earthquake-chisq", &cols, TestKind::ChiSq, "chisq", 0.01);
}

#[test]
fn fifty_variable_linear_gaussian() {
    let Some(py) = python() else { return };
    let mut rng = SplitMix64::new(50);
    let edges = random_dag(50, 0.063, 4, &mut rng);
    let cols = linear_gaussian(50, &edges, 10_000, (0.2, 0.9), &mut rng);
    compare(&py, "gauss50", &cols, TestKind::GaussCi, "fisherz", 0.01);
}
