//! PC-stable on data with a known DAG: the skeleton (and, for a clean Gaussian sample, the
//! CPDAG) is recovered, and the output does not depend on the number of threads.

use causeway_pc::ci::{CiTest, TestKind};
use causeway_pc::cpdag::dag_to_cpdag;
use causeway_pc::pc::{PcOutput, run_pc};
use causeway_pc::rng::SplitMix64;
use causeway_pc::skeleton::{SepsetRule, SkeletonConfig};
use causeway_pc::synth::{DiscreteNetwork, earthquake, linear_gaussian, random_dag, skeleton_of};

fn pc(kind: TestKind, cols: &[Vec<f64>], alpha: f64, threads: usize) -> PcOutput {
    let test = CiTest::new(kind, cols, threads).unwrap();
    let cfg = SkeletonConfig { alpha, max_depth: None, threads, sepset_rule: SepsetRule::Union };
    run_pc(&test, &cfg, |_| {})
}

/// Everything but the timings.
fn fingerprint(out: &PcOutput) -> String {
    let mut v = out.comparison_json();
    v.as_object_mut().unwrap().remove("seconds");
    format!("{v} {:?}", out.skeleton.strength)
}

#[test]
fn recovers_a_linear_gaussian_dag() {
    let mut rng = SplitMix64::new(20_240_601);
    let p = 8;
    let edges = vec![(0, 2), (1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (4, 7), (6, 7)];
    let cols = linear_gaussian(p, &edges, 5_000, (0.5, 1.0), &mut rng);
    let out = pc(TestKind::GaussCi, &cols, 0.01, 2);
    assert_eq!(out.skeleton.edges(), skeleton_of(&edges));
    // With the right skeleton and sepsets, orientation gives the true equivalence class.
    assert_eq!(out.cpdag, dag_to_cpdag(p, &edges).unwrap());
}

#[test]
fn recovers_a_random_discrete_network() {
    let mut rng = SplitMix64::new(77);
    let cards = vec![2, 3, 4, 3, 2, 3, 4];
    let edges = vec![(0, 2), (1, 2), (2, 4), (3, 4), (1, 5), (5, 6), (3, 6)];
    let net = DiscreteNetwork::random(cards, &edges, 0.5, &mut rng);
    let cols = net.sample(5_000, &mut rng);
    for kind in [TestKind::DisCi, TestKind::ChiSq] {
        let out = pc(kind, &cols, 0.01, 2);
        assert_eq!(out.skeleton.edges(), skeleton_of(&edges), "{kind:?}");
    }
}

#[test]
fn earthquake_network_edges_are_found() {
    // Burglary and Earthquake are rare (1% and 2%), so allow one spurious edge, like the
    // reference figures for causal-learn on this network.
    let (net, edges) = earthquake();
    let cols = net.sample(10_000, &mut SplitMix64::new(2_024));
    for kind in [TestKind::DisCi, TestKind::BinCi] {
        let out = pc(kind, &cols, 0.05, 1);
        let found = out.skeleton.edges();
        let truth = skeleton_of(&edges);
        assert!(truth.iter().all(|e| found.contains(e)), "{kind:?}: {found:?}");
        assert!(found.len() <= truth.len() + 1, "{kind:?}: {found:?}");
    }
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let mut rng = SplitMix64::new(9);
    let edges = random_dag(30, 0.1, 4, &mut rng);
    let gauss = linear_gaussian(30, &edges, 3_000, (0.3, 0.9), &mut rng);
    let net = DiscreteNetwork::random(
        (0..20).map(|i| 2 + i % 3).collect(),
        &random_dag(20, 0.15, 3, &mut rng),
        0.5,
        &mut rng,
    );
    let discrete = net.sample(3_000, &mut rng);
    for (kind, cols) in [(TestKind::GaussCi, &gauss), (TestKind::DisCi, &discrete)] {
        let one = fingerprint(&pc(kind, cols, 0.05, 1));
        for threads in [2, 3, 8] {
            assert_eq!(one, fingerprint(&pc(kind, cols, 0.05, threads)), "{kind:?} with {threads} threads");
        }
    }
}

#[test]
fn first_rule_keeps_the_skeleton_and_runs_fewer_tests() {
    let mut rng = SplitMix64::new(31);
    let edges = random_dag(15, 0.2, 3, &mut rng);
    let cols = linear_gaussian(15, &edges, 2_000, (0.3, 0.9), &mut rng);
    let test = CiTest::new(TestKind::GaussCi, &cols, 1).unwrap();
    let run = |rule| {
        let cfg = SkeletonConfig { alpha: 0.01, max_depth: None, threads: 1, sepset_rule: rule };
        run_pc(&test, &cfg, |_| {})
    };
    let (union, first) = (run(SepsetRule::Union), run(SepsetRule::First));
    assert_eq!(union.skeleton.edges(), first.skeleton.edges());
    assert!(first.skeleton.n_tests <= union.skeleton.n_tests);
    for (pair, sep) in &first.skeleton.sepsets {
        // pcalg's set has exactly `depth` members and is part of causal-learn's union.
        assert_eq!(sep.nodes.len(), sep.depth);
        assert!(sep.nodes.iter().all(|v| union.skeleton.sepsets[pair].nodes.contains(v)));
    }
}

#[test]
fn subset_size_limits_the_levels() {
    let mut rng = SplitMix64::new(5);
    let edges = random_dag(12, 0.3, 4, &mut rng);
    let cols = linear_gaussian(12, &edges, 2_000, (0.3, 0.9), &mut rng);
    let test = CiTest::new(TestKind::GaussCi, &cols, 1).unwrap();
    let cfg = SkeletonConfig { alpha: 0.01, max_depth: Some(1), threads: 1, sepset_rule: SepsetRule::Union };
    let out = run_pc(&test, &cfg, |_| {});
    assert!(out.skeleton.levels.len() <= 2);
    assert!(out.skeleton.sepsets.values().all(|s| s.depth <= 1));
}
