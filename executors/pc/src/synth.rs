//! Synthetic data with a known DAG, for the tests and the benchmark (seeded, reproducible).
//! DAGs are generated over nodes in index order, so `i → j` always has `i < j`.

use crate::rng::SplitMix64;

/// Erdős–Rényi DAG: each `i → j` (`i < j`) with probability `prob`, at most `max_parents` each.
pub fn random_dag(p: usize, prob: f64, max_parents: usize, rng: &mut SplitMix64) -> Vec<(usize, usize)> {
    let mut edges = Vec::new();
    for j in 0..p {
        let mut parents = 0;
        for i in 0..j {
            if parents < max_parents && rng.next_f64() < prob {
                edges.push((i, j));
                parents += 1;
            }
        }
    }
    edges
}

/// Samples `n` rows of the linear-Gaussian SEM `x_j = Σ w_ij x_i + ε_j`, `ε_j ~ N(0, 1)`, with
/// weights uniform in `±[lo, hi]`. Returns columns.
pub fn linear_gaussian(
    p: usize,
    edges: &[(usize, usize)],
    n: usize,
    (lo, hi): (f64, f64),
    rng: &mut SplitMix64,
) -> Vec<Vec<f64>> {
    let weighted: Vec<(usize, usize, f64)> = edges
        .iter()
        .map(|&(a, b)| {
            let w = lo + (hi - lo) * rng.next_f64();
            (a, b, if rng.next_f64() < 0.5 { -w } else { w })
        })
        .collect();
    let mut cols = vec![vec![0.0; n]; p];
    for j in 0..p {
        let mut col: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        for &(a, _, w) in weighted.iter().filter(|e| e.1 == j) {
            for (v, x) in col.iter_mut().zip(&cols[a]) {
                *v += w * x;
            }
        }
        cols[j] = col;
    }
    cols
}

/// A discrete Bayesian network with nodes in topological (index) order.
#[derive(Debug, Clone)]
pub struct DiscreteNetwork {
    pub cards: Vec<usize>,
    pub parents: Vec<Vec<usize>>,
    /// Per node, per parent configuration (mixed radix over `parents`), the cumulative
    /// distribution over the node's states.
    cdfs: Vec<Vec<Vec<f64>>>,
}

impl DiscreteNetwork {
    /// Builds a network from explicit conditional tables: `tables[v][config][state]`.
    pub fn from_tables(cards: Vec<usize>, parents: Vec<Vec<usize>>, tables: Vec<Vec<Vec<f64>>>) -> Self {
        let cdfs = tables
            .into_iter()
            .map(|node| {
                node.into_iter()
                    .map(|probs| {
                        let total: f64 = probs.iter().sum();
                        let mut acc = 0.0;
                        probs
                            .iter()
                            .map(|q| {
                                acc += q / total;
                                acc
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Self { cards, parents, cdfs }
    }

    /// Random conditional tables that make every parent matter: each parent configuration puts
    /// `strength` (0–1) of its mass on a randomly chosen state and spreads the rest
    /// Dirichlet(1)-like. Higher strength means more near-deterministic, ALARM-like relations.
    pub fn random(cards: Vec<usize>, edges: &[(usize, usize)], strength: f64, rng: &mut SplitMix64) -> Self {
        let p = cards.len();
        let parents: Vec<Vec<usize>> =
            (0..p).map(|j| edges.iter().filter(|e| e.1 == j).map(|e| e.0).collect()).collect();
        let tables = (0..p)
            .map(|j| {
                let configs: usize = parents[j].iter().map(|&q| cards[q]).product();
                (0..configs)
                    .map(|_| {
                        let spread: Vec<f64> = (0..cards[j]).map(|_| -(1.0 - rng.next_f64()).ln()).collect();
                        let total: f64 = spread.iter().sum();
                        let mode = rng.below(cards[j]);
                        (0..cards[j])
                            .map(|k| {
                                (1.0 - strength) * spread[k] / total + if k == mode { strength } else { 0.0 }
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Self::from_tables(cards, parents, tables)
    }

    /// Forward-samples `n` rows; returns columns of state codes.
    pub fn sample(&self, n: usize, rng: &mut SplitMix64) -> Vec<Vec<f64>> {
        let p = self.cards.len();
        let mut cols = vec![Vec::with_capacity(n); p];
        let mut row = vec![0usize; p];
        for _ in 0..n {
            // Nodes are in topological order, so parents are drawn before their children.
            for j in 0..p {
                let config = self.parents[j].iter().fold(0, |acc, &q| acc * self.cards[q] + row[q]);
                let u = rng.next_f64();
                let cdf = &self.cdfs[j][config];
                row[j] = cdf.iter().position(|&c| u < c).unwrap_or(cdf.len() - 1);
            }
            for (col, &state) in cols.iter_mut().zip(&row) {
                col.push(state as f64);
            }
        }
        cols
    }
}

/// The classic "earthquake" network: Burglary, Earthquake, Alarm, JohnCalls, MaryCalls (binary,
/// state 1 = yes) with the textbook probabilities. Returns the network and its 4 edges.
pub fn earthquake() -> (DiscreteNetwork, Vec<(usize, usize)>) {
    let yes = |q: f64| vec![1.0 - q, q];
    let edges = vec![(0, 2), (1, 2), (2, 3), (2, 4)];
    let parents = vec![vec![], vec![], vec![0, 1], vec![2], vec![2]];
    let tables = vec![
        vec![yes(0.01)],
        vec![yes(0.02)],
        // (B, E) = (0,0), (0,1), (1,0), (1,1)
        vec![yes(0.001), yes(0.29), yes(0.94), yes(0.95)],
        vec![yes(0.05), yes(0.90)],
        vec![yes(0.01), yes(0.70)],
    ];
    (DiscreteNetwork::from_tables(vec![2; 5], parents, tables), edges)
}

/// Undirected version of a DAG's edges, `(min, max)` sorted: the skeleton PC should recover.
pub fn skeleton_of(edges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut s: Vec<(usize, usize)> = edges.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
    s.sort_unstable();
    s.dedup();
    s
}

/// Writes columns as a CSV with the given header names (for the causal-learn comparison).
pub fn to_csv(header: &[String], cols: &[Vec<f64>]) -> String {
    let n = cols.first().map_or(0, Vec::len);
    let mut out = header.join(",");
    out.push('\n');
    for r in 0..n {
        let row: Vec<String> = cols.iter().map(|c| format!("{}", c[r])).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}
