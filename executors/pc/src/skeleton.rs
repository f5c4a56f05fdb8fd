//! The order-independent ("stable") PC skeleton phase (Colombo & Maathuis 2014), following
//! causal-learn's `skeleton_discovery(..., stable=True)` test for test:
//!
//! * level `l` starts from a frozen copy of the adjacencies; edges found independent are removed
//!   only when the level ends, so the result does not depend on the order of the edges;
//! * for the pair `x < y`, the conditioning sets are the size-`l` combinations of `adj(x) \ {y}`
//!   (ascending, lexicographic, like `itertools.combinations`), then those of `adj(y) \ {x}`;
//!   a set already tested from `x`'s side is not tested again (causal-learn's p-value cache);
//! * a test is "independent" when `p ≥ alpha`;
//! * causal-learn does not stop at the first separating set in stable mode: it runs every set of
//!   the level and records the union of all separating sets ([`SepsetRule::Union`], default).
//!   [`SepsetRule::First`] stops at the first one, as pcalg does, and records that set.
//!
//! The edges of one level are independent of each other, so they are spread over threads; each
//! edge is handled entirely by one thread and results are merged in edge order, which makes the
//! output identical for any thread count.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::ci::{CiTest, Outcome, Scratch};

/// Which separating set is recorded for a removed edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SepsetRule {
    /// All sets of the removal level are tested; the sepset is the union of the separating ones
    /// (causal-learn, `stable=True`).
    #[default]
    Union,
    /// Stop at the first separating set and keep it (pcalg).
    First,
}

#[derive(Debug, Clone)]
pub struct SkeletonConfig {
    pub alpha: f64,
    /// Largest conditioning-set size (`subset_size`); `None` = unlimited.
    pub max_depth: Option<usize>,
    pub threads: usize,
    pub sepset_rule: SepsetRule,
}

/// Why an edge was removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Separation {
    /// Conditioning-set size of the level that removed the edge.
    pub depth: usize,
    /// The separating set (sorted variable indices).
    pub nodes: Vec<usize>,
    /// The largest p-value among the separating tests.
    pub p_value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LevelStats {
    pub depth: usize,
    /// Adjacent pairs at the start of the level.
    pub pairs: usize,
    pub tests: u64,
    pub removed: usize,
    pub seconds: f64,
}

#[derive(Debug, Clone)]
pub struct Skeleton {
    n: usize,
    adj: Vec<bool>,
    /// Keyed by `(min, max)` of the pair.
    pub sepsets: BTreeMap<(usize, usize), Separation>,
    /// For each remaining edge `(min, max)`: the outcome with the largest p-value among all the
    /// tests it survived (the association left after the best attempt to explain it away).
    pub strength: BTreeMap<(usize, usize), Outcome>,
    pub levels: Vec<LevelStats>,
    /// Distinct CI tests run (a test of `(x, y | S)` and `(y, x | S)` counts once).
    pub n_tests: u64,
}

impl Skeleton {
    pub fn n_vars(&self) -> usize {
        self.n
    }

    pub fn adjacent(&self, a: usize, b: usize) -> bool {
        self.adj[a * self.n + b]
    }

    /// Row-major `n × n` adjacency matrix.
    pub fn adjacency(&self) -> &[bool] {
        &self.adj
    }

    /// Remaining edges as `(i, j)` with `i < j`, ascending.
    pub fn edges(&self) -> Vec<(usize, usize)> {
        let n = self.n;
        (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).filter(|&(i, j)| self.adjacent(i, j)).collect()
    }

    pub fn sepset(&self, a: usize, b: usize) -> Option<&Separation> {
        self.sepsets.get(&(a.min(b), a.max(b)))
    }
}

/// Per-edge result of one level.
#[derive(Debug, Default)]
struct EdgeWork {
    tests: u64,
    separated: bool,
    nodes: Vec<usize>,
    sep_p: f64,
    best: Option<Outcome>,
}

/// Per-thread buffers.
#[derive(Default)]
struct Worker {
    scratch: Scratch,
    candidates: Vec<usize>,
    set: Vec<usize>,
}

/// Runs the skeleton phase. `on_level` is called after each level (for progress logs).
pub fn discover(test: &CiTest, cfg: &SkeletonConfig, mut on_level: impl FnMut(&LevelStats)) -> Skeleton {
    let n = test.n_vars();
    let mut adj = vec![true; n * n];
    for i in 0..n {
        adj[i * n + i] = false;
    }
    let mut sk = Skeleton {
        n,
        adj,
        sepsets: BTreeMap::new(),
        strength: BTreeMap::new(),
        levels: Vec::new(),
        n_tests: 0,
    };
    let mut depth = 0usize;
    // causal-learn's `while max_degree - 1 > depth` (its depth is one behind ours): level `d`
    // runs while some node still has `d + 1` neighbours.
    while max_degree(&sk.adj, n) > depth {
        if cfg.max_depth.is_some_and(|m| depth > m) {
            break;
        }
        let started = Instant::now();
        let neighbours: Vec<Vec<usize>> =
            (0..n).map(|i| (0..n).filter(|&j| sk.adj[i * n + j]).collect()).collect();
        let pairs = sk.edges();
        let frozen = &sk.adj;
        let results = parallel_map(pairs.len(), cfg.threads, |k, worker| {
            let (x, y) = pairs[k];
            test_edge(test, frozen, n, &neighbours, x, y, depth, cfg, worker)
        });
        let mut stats = LevelStats { depth, pairs: pairs.len(), tests: 0, removed: 0, seconds: 0.0 };
        for (&(x, y), work) in pairs.iter().zip(results) {
            stats.tests += work.tests;
            if work.separated {
                sk.adj[x * n + y] = false;
                sk.adj[y * n + x] = false;
                sk.strength.remove(&(x, y));
                sk.sepsets.insert((x, y), Separation { depth, nodes: work.nodes, p_value: work.sep_p });
                stats.removed += 1;
            } else if let Some(best) = work.best {
                let entry = sk.strength.entry((x, y)).or_insert(best);
                if best.p_value > entry.p_value {
                    *entry = best;
                }
            }
        }
        stats.seconds = started.elapsed().as_secs_f64();
        sk.n_tests += stats.tests;
        on_level(&stats);
        sk.levels.push(stats);
        depth += 1;
    }
    sk
}

fn max_degree(adj: &[bool], n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    adj.chunks_exact(n).map(|row| row.iter().filter(|&&a| a).count()).max().unwrap_or(0)
}

/// All tests of one edge at one level, from `x`'s side and then from `y`'s side.
#[allow(clippy::too_many_arguments)]
fn test_edge(
    test: &CiTest,
    adj: &[bool],
    n: usize,
    neighbours: &[Vec<usize>],
    x: usize,
    y: usize,
    depth: usize,
    cfg: &SkeletonConfig,
    w: &mut Worker,
) -> EdgeWork {
    let mut work = EdgeWork::default();
    for (a, b) in [(x, y), (y, x)] {
        w.candidates.clear();
        w.candidates.extend(neighbours[a].iter().copied().filter(|&v| v != b));
        let second_side = a == y;
        let flow = for_each_combination(&w.candidates, depth, &mut w.set, |s| {
            if second_side && s.iter().all(|&v| adj[x * n + v]) {
                return ControlFlow::Continue(()); // already tested from x's side
            }
            work.tests += 1;
            let outcome = test.test(x, y, s, &mut w.scratch);
            if work.best.is_none_or(|b| outcome.p_value > b.p_value) {
                work.best = Some(outcome);
            }
            if outcome.p_value >= cfg.alpha {
                work.sep_p = if work.separated { work.sep_p.max(outcome.p_value) } else { outcome.p_value };
                work.separated = true;
                work.nodes.extend_from_slice(s);
                if cfg.sepset_rule == SepsetRule::First {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        });
        if flow.is_break() {
            break;
        }
    }
    work.nodes.sort_unstable();
    work.nodes.dedup();
    work
}

/// Calls `f` with every `k`-subset of `items` in lexicographic order of positions (the order
/// of Python's `itertools.combinations`), stopping early when `f` breaks.
pub fn for_each_combination(
    items: &[usize],
    k: usize,
    buf: &mut Vec<usize>,
    mut f: impl FnMut(&[usize]) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let m = items.len();
    if k > m {
        return ControlFlow::Continue(());
    }
    let mut idx: Vec<usize> = (0..k).collect();
    loop {
        buf.clear();
        buf.extend(idx.iter().map(|&i| items[i]));
        f(buf)?;
        // Rightmost position that can still advance.
        let Some(i) = (0..k).rev().find(|&i| idx[i] != i + m - k) else {
            return ControlFlow::Continue(());
        };
        idx[i] += 1;
        for j in i + 1..k {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

/// Maps `0..count` through `work` on up to `threads` threads with dynamic scheduling; the output
/// is in index order whatever the thread count.
fn parallel_map<T: Send>(
    count: usize,
    threads: usize,
    work: impl Fn(usize, &mut Worker) -> T + Sync,
) -> Vec<T> {
    let threads = threads.clamp(1, count.max(1));
    if threads == 1 {
        let mut worker = Worker::default();
        return (0..count).map(|i| work(i, &mut worker)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<T>> = (0..count).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut worker = Worker::default();
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            break done;
                        }
                        done.push((i, work(i, &mut worker)));
                    }
                })
            })
            .collect();
        for handle in handles {
            for (i, value) in handle.join().expect("skeleton worker panicked") {
                slots[i] = Some(value);
            }
        }
    });
    slots.into_iter().map(|v| v.expect("every index is processed")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_follow_itertools_order() {
        let mut seen = Vec::new();
        let _ = for_each_combination(&[2, 5, 7, 9], 2, &mut Vec::new(), |s| {
            seen.push(s.to_vec());
            ControlFlow::Continue(())
        });
        assert_eq!(seen, vec![vec![2, 5], vec![2, 7], vec![2, 9], vec![5, 7], vec![5, 9], vec![7, 9]]);
        let mut count = 0;
        let _ = for_each_combination(&[1, 2], 0, &mut Vec::new(), |s| {
            assert!(s.is_empty());
            count += 1;
            ControlFlow::Continue(())
        });
        assert_eq!(count, 1);
        let _ = for_each_combination(&[1], 2, &mut Vec::new(), |_| panic!("no 2-subsets of one item"));
    }

    #[test]
    fn parallel_map_keeps_order() {
        let out = parallel_map(100, 4, |i, _| i * i);
        assert_eq!(out, (0..100).map(|i| i * i).collect::<Vec<_>>());
    }
}
