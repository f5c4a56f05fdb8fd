//! PC-stable benchmark: `cargo bench -p causeway-pc`.
//!
//! Two generated datasets of 10,000 rows, shaped like the reference figures of causal-learn on
//! this machine (ALARM: 37 discrete variables, 1.8 s; a 50-variable linear-Gaussian SEM, 2.0 s):
//! * discrete-37: a random DAG with 46 edges (at most 4 parents), 2–4 states per variable,
//!   G² test (`disCI`), alpha 0.01;
//! * gaussian-50: an Erdős–Rényi DAG with ~77 edges, Fisher-z (`gaussCI`), alpha 0.01.
//!
//! Each figure is the median (and best) of several runs and includes the test's precomputation
//! (correlation matrix, category codes, bitsets), as causal-learn's timing does.

use std::time::Instant;

use causeway_pc::ci::{CiTest, TestKind};
use causeway_pc::pc::{PcOutput, run_pc};
use causeway_pc::rng::SplitMix64;
use causeway_pc::skeleton::{SepsetRule, SkeletonConfig};
use causeway_pc::synth::{DiscreteNetwork, linear_gaussian, random_dag};

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

fn report(name: &str, kind: TestKind, cols: &[Vec<f64>], reference_seconds: f64) {
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
        println!(
            "  {cores} core{}: median {median:.4} s, best {best:.4} s  ({:.0}x faster than causal-learn's {reference_seconds} s)",
            if cores > 1 { "s" } else { "" },
            reference_seconds / median,
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let mut rng = SplitMix64::new(2_014);
    let cards: Vec<usize> = (0..37).map(|_| 2 + rng.below(3)).collect();
    let edges = dag_with_edges(37, 46, 4, &mut rng);
    let discrete = DiscreteNetwork::random(cards, &edges, STRENGTH, &mut rng).sample(ROWS, &mut rng);
    report("discrete-37", TestKind::DisCi, &discrete, 1.8);

    let mut rng = SplitMix64::new(50);
    let edges = random_dag(50, 77.0 / 1225.0, 50, &mut rng);
    let gaussian = linear_gaussian(50, &edges, ROWS, (0.5, 1.0), &mut rng);
    report("gaussian-50", TestKind::GaussCi, &gaussian, 2.0);
}
