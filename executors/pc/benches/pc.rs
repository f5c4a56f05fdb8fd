//! PC-stable benchmark: `cargo bench -p causeway-pc`.
//!
//! Rust PC against causal-learn's `pc(..., stable=True)` in the same run, on the same data:
//! * ALARM: 10,000 rows forward-sampled from the network pgmpy ships (37 discrete variables,
//!   46 edges), chi-square test, alpha 0.01;
//! * gaussian-50: 10,000 rows of a linear-Gaussian SEM on an Erdős–Rényi DAG with ~77 edges,
//!   Fisher-z, alpha 0.01.
//!
//! causal-learn runs from `CAUSEWAY_CAUSAL_LEARN_PYTHON`, else the executors' virtual
//! environment (`scripts/python-env --dev`). Without it, only the Rust figures are printed and
//! ALARM is replaced by a random 37-variable discrete network of the same size.
//!
//! Rust figures are the median (and best) of several runs and include the test's precomputation
//! (correlation matrix, category codes, bitsets); causal-learn's are the median of its own
//! timing of `pc()` (without interpreter start and data loading) over three runs.

use std::time::Instant;

#[path = "../tests/support/mod.rs"]
mod support;

use causeway_pc::ci::{CiTest, TestKind};
use causeway_pc::pc::{PcOutput, run_pc};
use causeway_pc::rng::SplitMix64;
use causeway_pc::skeleton::{SepsetRule, SkeletonConfig};
use causeway_pc::synth::{DiscreteNetwork, linear_gaussian, random_dag};
use serde_json::Value;

const ROWS: usize = 10_000;
const RUNS: usize = 7;
/// Mass on each conditional table's mode: near-deterministic relations as in ALARM.
const STRENGTH: f64 = 0.8;

/// A DAG with exactly `m` edges `i → j` (`i < j`), at most `max_parents` parents per node.
fn dag_with_edges(p: usize, m: usize, max_parents: usize, rng: &mut SplitMix64) -> Vec<(usize, usize)> {
    let mut edges: Vec<(usize, usize)> = Vec::new();
    while edges.len() < m {
        let (a, b) = (rng.below(p), rng.below(p));
        let (i, j) = (a.min(b), a.max(b));
        if i != j && !edges.contains(&(i, j)) && edges.iter().filter(|e| e.1 == j).count() < max_parents {
            edges.push((i, j));
        }
    }
    edges
}

fn run_once(kind: TestKind, cols: &[Vec<f64>], threads: usize) -> (f64, PcOutput) {
    let started = Instant::now();
    let test = CiTest::new(kind, cols, threads).expect("valid data");
    let cfg = SkeletonConfig { alpha: 0.01, max_depth: None, threads, sepset_rule: SepsetRule::Union };
    let out = run_pc(&test, &cfg, |_| {});
    (started.elapsed().as_secs_f64(), out)
}

/// (best, median) wall time over `RUNS` runs, and the last output.
fn timings(kind: TestKind, cols: &[Vec<f64>], threads: usize) -> (f64, f64, PcOutput) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let (t, out) = run_once(kind, cols, threads);
        times.push(t);
        last = Some(out);
    }
    times.sort_by(f64::total_cmp);
    (times[0], times[RUNS / 2], last.expect("at least one run"))
}

/// causal-learn's PC on the same data: median seconds of `pc()` and its skeleton.
struct Reference {
    seconds: f64,
    skeleton: Value,
}

fn causal_learn(python: &str, name: &str, cols: &[Vec<f64>], test: &str) -> Reference {
    let mut runs: Vec<Value> =
        (0..3).map(|_| support::causal_learn_pc(python, name, cols, test, 0.01)).collect();
    runs.sort_by(|a, b| a["seconds"].as_f64().unwrap().total_cmp(&b["seconds"].as_f64().unwrap()));
    let median = runs.swap_remove(1);
    Reference { seconds: median["seconds"].as_f64().unwrap(), skeleton: median["skeleton"].clone() }
}

fn report(name: &str, kind: TestKind, cols: &[Vec<f64>], reference: Option<Reference>) {
    let (best1, median1, out) = timings(kind, cols, 1);
    let (best2, median2, _) = timings(kind, cols, 2);
    println!(
        "{name}: {} vars x {ROWS} rows, {} alpha 0.01, {} CI tests, {} edges",
        cols.len(),
        kind.name(),
        out.skeleton.n_tests,
        out.skeleton.edges().len()
    );
    for (cores, best, median) in [(1, best1, median1), (2, best2, median2)] {
        let versus = reference
            .as_ref()
            .map(|r| format!("  ({:.0}x faster than causal-learn)", r.seconds / median))
            .unwrap_or_default();
        println!(
            "  rust, {cores} core{}: median {median:.4} s, best {best:.4} s{versus}",
            if cores > 1 { "s" } else { "" },
        );
    }
    println!("  speed-up from 1 to 2 cores: {:.2}x", median1 / median2);
    if let Some(reference) = reference {
        let same = out.comparison_json()["skeleton"] == reference.skeleton;
        println!(
            "  causal-learn: median {:.3} s; skeletons {}",
            reference.seconds,
            if same { "identical" } else { "DIFFERENT" }
        );
        assert!(same, "{name}: the skeleton differs from causal-learn's");
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let python = support::causal_learn_python().ok();
    if python.is_none() {
        println!("causal-learn not found (scripts/python-env --dev): Rust figures only");
    }
    let (name, discrete) = match &python {
        Some(python) => ("alarm", support::alarm_sample(python, ROWS, 7)),
        None => {
            let mut rng = SplitMix64::new(2_014);
            let cards: Vec<usize> = (0..37).map(|_| 2 + rng.below(3)).collect();
            let edges = dag_with_edges(37, 46, 4, &mut rng);
            ("discrete-37", DiscreteNetwork::random(cards, &edges, STRENGTH, &mut rng).sample(ROWS, &mut rng))
        }
    };
    let reference = python.as_deref().map(|py| causal_learn(py, name, &discrete, "chisq"));
    report(name, TestKind::ChiSq, &discrete, reference);

    let mut rng = SplitMix64::new(50);
    let edges = random_dag(50, 77.0 / 1225.0, 50, &mut rng);
    let gaussian = linear_gaussian(50, &edges, ROWS, (0.5, 1.0), &mut rng);
    let reference = python.as_deref().map(|py| causal_learn(py, "gaussian-50", &gaussian, "fisherz"));
    report("gaussian-50", TestKind::GaussCi, &gaussian, reference);
}
