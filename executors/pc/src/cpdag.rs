//! Orientation to a CPDAG: unshielded colliders, then Meek's rules 1–3.
//!
//! Two entry points:
//! * [`orient_skeleton`] — PC's orientation phase from a skeleton and its separating sets;
//! * [`dag_to_cpdag`] — the CPDAG (essential graph) of a DAG: keep its v-structures, then close
//!   under the Meek rules. Rules 1–3 are complete for this (Meek 1995); rule 4 is only needed
//!   with background knowledge, which neither entry point takes.
//!
//! The engine mirrors causal-learn (`UCSepset.uc_sepset` with `priority=2`, then `Meek.meek`)
//! step for step, including the order in which triples are visited and its ancestor check, so
//! that conflicting orientations on finite samples resolve exactly as there:
//! * colliders `x → y ← z` are visited as causal-learn lists unshielded triples (by `y`, then
//!   `x`, then `z`, with `x < z`), and one is skipped when `y → x` or `y → z` is already
//!   oriented ("prioritise existing colliders");
//! * a Meek orientation `a → b` is skipped when `b` is recorded as an ancestor of `a`, using
//!   causal-learn's incrementally maintained ancestor matrix (`GeneralGraph.dpath`).
//!
//! For a DAG's own v-structures no conflict can arise, so [`dag_to_cpdag`] is exact.

use std::collections::HashMap;
use std::fmt;

const NONE: i8 = 0;
const TAIL: i8 = -1;
const ARROW: i8 = 1;

/// A partially directed graph with causal-learn's endpoint encoding: `mark(a, b)` is the mark at
/// `a`'s end of the edge `a – b` (tail or arrow), so `a → b` is `mark(a,b) = TAIL`,
/// `mark(b,a) = ARROW`, and `a – b` has tails at both ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdag {
    n: usize,
    marks: Vec<i8>,
    /// `dpath[b * n + a]`: `a` is recorded as an ancestor of `b` (causal-learn's `dpath[b, a]`).
    dpath: Vec<bool>,
}

impl Pdag {
    /// `n` nodes, no edges.
    pub fn new(n: usize) -> Self {
        let mut dpath = vec![false; n * n];
        for i in 0..n {
            dpath[i * n + i] = true;
        }
        Self { n, marks: vec![NONE; n * n], dpath }
    }

    /// All edges of a symmetric row-major adjacency matrix, undirected.
    pub fn from_adjacency(n: usize, adjacency: &[bool]) -> Self {
        assert_eq!(adjacency.len(), n * n, "adjacency must be n × n");
        let mut g = Self::new(n);
        for i in 0..n {
            for j in i + 1..n {
                if adjacency[i * n + j] || adjacency[j * n + i] {
                    g.add_undirected(i, j);
                }
            }
        }
        g
    }

    pub fn n_vars(&self) -> usize {
        self.n
    }

    pub fn add_undirected(&mut self, a: usize, b: usize) {
        self.set(a, b, TAIL, TAIL);
    }

    /// Adds or re-orients the edge as `a → b`.
    pub fn add_directed(&mut self, a: usize, b: usize) {
        self.orient(a, b);
    }

    pub fn is_adjacent(&self, a: usize, b: usize) -> bool {
        self.mark(a, b) != NONE
    }

    pub fn is_undirected(&self, a: usize, b: usize) -> bool {
        self.mark(a, b) == TAIL && self.mark(b, a) == TAIL
    }

    /// `a → b`.
    pub fn is_directed(&self, a: usize, b: usize) -> bool {
        self.mark(a, b) == TAIL && self.mark(b, a) == ARROW
    }

    fn mark(&self, a: usize, b: usize) -> i8 {
        self.marks[a * self.n + b]
    }

    fn set(&mut self, a: usize, b: usize, at_a: i8, at_b: i8) {
        self.marks[a * self.n + b] = at_a;
        self.marks[b * self.n + a] = at_b;
    }

    /// `a → b`, as causal-learn's `remove_edge` + `add_edge(a → b)`: removing an edge that was
    /// directed rebuilds the ancestor matrix, adding one extends it.
    fn orient(&mut self, a: usize, b: usize) {
        let was_directed = self.is_directed(a, b) || self.is_directed(b, a);
        self.set(a, b, NONE, NONE);
        if was_directed {
            self.reconstitute_dpath();
        }
        self.set(a, b, TAIL, ARROW);
        self.adjust_dpath(a, b);
    }

    /// causal-learn `GeneralGraph.adjust_dpath(i, j)` for a new edge `i → j`. Deliberately not a
    /// full transitive closure: it is reproduced as is, because the Meek step consults it.
    fn adjust_dpath(&mut self, i: usize, j: usize) {
        let n = self.n;
        self.dpath[j * n + i] = true;
        for k in 0..n {
            if self.dpath[i * n + k] {
                self.dpath[j * n + k] = true;
            }
            if self.dpath[k * n + j] {
                self.dpath[k * n + i] = true;
            }
        }
    }

    /// causal-learn `reconstitute_dpath(get_graph_edges())`: edges are popped from the end of
    /// the `(i < j)`-ordered list.
    fn reconstitute_dpath(&mut self) {
        let n = self.n;
        self.dpath.fill(false);
        for i in 0..n {
            self.adjust_dpath(i, i);
        }
        let edges: Vec<(usize, usize)> = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .filter(|&(i, j)| self.is_adjacent(i, j))
            .collect();
        for &(i, j) in edges.iter().rev() {
            if self.is_directed(i, j) {
                self.adjust_dpath(i, j);
            } else if self.is_directed(j, i) {
                self.adjust_dpath(j, i);
            }
        }
    }

    fn is_ancestor(&self, a: usize, b: usize) -> bool {
        self.dpath[b * self.n + a]
    }

    /// causal-learn `find_adj`: every adjacency in both directions, tails first then arrowheads,
    /// each scanned in row-major order and reported as `(column, row)`.
    fn adjacency_list(&self) -> Vec<(usize, usize)> {
        let n = self.n;
        let mut out = Vec::new();
        for wanted in [TAIL, ARROW] {
            for r in 0..n {
                for c in 0..n {
                    if self.marks[r * n + c] == wanted {
                        out.push((c, r));
                    }
                }
            }
        }
        out
    }

    /// Pairs `(p, q)` of entries of `list` with `p.1 == q.0` and `p.0 != q.1`, in the order of
    /// `itertools.permutations(list, 2)`, mapped to `(p.0, p.1, q.1)` and filtered by `keep`.
    fn paths_of_two(
        &self,
        list: &[(usize, usize)],
        keep: impl Fn(usize, usize) -> bool,
    ) -> Vec<(usize, usize, usize)> {
        let mut by_first: Vec<Vec<usize>> = vec![Vec::new(); self.n];
        for (idx, &(a, _)) in list.iter().enumerate() {
            by_first[a].push(idx);
        }
        let mut out = Vec::new();
        for &(a, b) in list {
            for &q in &by_first[b] {
                let c = list[q].1;
                if a != c && keep(a, c) {
                    out.push((a, b, c));
                }
            }
        }
        out
    }

    /// causal-learn `find_unshielded_triples`: `(i, j, k)` with `i – j – k`, `i`, `k` not adjacent.
    fn unshielded_triples(&self, list: &[(usize, usize)]) -> Vec<(usize, usize, usize)> {
        self.paths_of_two(list, |a, c| !self.is_adjacent(a, c))
    }

    /// causal-learn `find_triangles`: `(i, j, k)` with `i – j – k – i`, every orientation.
    fn triangles(&self, list: &[(usize, usize)]) -> Vec<(usize, usize, usize)> {
        self.paths_of_two(list, |a, c| self.is_adjacent(a, c))
    }

    /// causal-learn `find_kites`: `(i, j, k, l)` from two triangles `(i, j, l)`, `(i, k, l)` with
    /// `j < k` not adjacent.
    fn kites(&self, triangles: &[(usize, usize, usize)]) -> Vec<(usize, usize, usize, usize)> {
        let mut groups: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        for (idx, &(i, _, l)) in triangles.iter().enumerate() {
            groups.entry((i, l)).or_default().push(idx);
        }
        let mut out = Vec::new();
        for &(i, j, l) in triangles {
            for &u in &groups[&(i, l)] {
                let k = triangles[u].1;
                if j < k && !self.is_adjacent(j, k) {
                    out.push((i, j, k, l));
                }
            }
        }
        out
    }

    /// Orients each unshielded triple `x – y – z` (`x < z`) for which `is_collider(x, y, z)` as
    /// `x → y ← z`, unless `y → x` or `y → z` is already oriented (causal-learn priority 2).
    pub fn orient_colliders(&mut self, mut is_collider: impl FnMut(usize, usize, usize) -> bool) -> usize {
        let list = self.adjacency_list();
        let triples = self.unshielded_triples(&list);
        let mut oriented = 0;
        for (x, y, z) in triples.into_iter().filter(|&(x, _, z)| x < z) {
            if is_collider(x, y, z) && !self.is_directed(y, x) && !self.is_directed(y, z) {
                self.orient(x, y);
                self.orient(z, y);
                oriented += 1;
            }
        }
        oriented
    }

    /// Applies Meek's rules 1–3 until nothing changes; returns the number of edges oriented.
    pub fn apply_meek(&mut self) -> usize {
        let list = self.adjacency_list();
        let unshielded = self.unshielded_triples(&list);
        let triangles = self.triangles(&list);
        let kites = self.kites(&triangles);
        let mut oriented = 0;
        loop {
            let before = oriented;
            // R1: i → j – k, i and k not adjacent ⇒ j → k.
            for &(i, j, k) in &unshielded {
                if self.is_directed(i, j) && self.is_undirected(j, k) && !self.is_ancestor(k, j) {
                    self.orient(j, k);
                    oriented += 1;
                }
            }
            // R2: i → j → k and i – k ⇒ i → k.
            for &(i, j, k) in &triangles {
                if self.is_directed(i, j)
                    && self.is_directed(j, k)
                    && self.is_undirected(i, k)
                    && !self.is_ancestor(k, i)
                {
                    self.orient(i, k);
                    oriented += 1;
                }
            }
            // R3: i – j → l, i – k → l, j and k not adjacent, i – l ⇒ i → l.
            for &(i, j, k, l) in &kites {
                if self.is_undirected(i, j)
                    && self.is_undirected(i, k)
                    && self.is_directed(j, l)
                    && self.is_directed(k, l)
                    && self.is_undirected(i, l)
                    && !self.is_ancestor(l, i)
                {
                    self.orient(i, l);
                    oriented += 1;
                }
            }
            if oriented == before {
                return oriented;
            }
        }
    }

    pub fn to_cpdag(&self) -> Cpdag {
        let n = self.n;
        let mut directed = Vec::new();
        let mut undirected = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                if self.is_directed(i, j) {
                    directed.push((i, j));
                } else if self.is_directed(j, i) {
                    directed.push((j, i));
                } else if self.is_adjacent(i, j) {
                    undirected.push((i, j));
                }
            }
        }
        directed.sort_unstable();
        Cpdag { n, directed, undirected }
    }
}

/// A completed partially directed graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpdag {
    pub n: usize,
    /// `(from, to)`, ascending.
    pub directed: Vec<(usize, usize)>,
    /// `(i, j)` with `i < j`, ascending.
    pub undirected: Vec<(usize, usize)>,
}

impl Cpdag {
    /// Directed edges once and undirected ones in both directions (the MPCSL edge-list
    /// convention), sorted by `(from, to)`.
    pub fn edge_list(&self) -> Vec<(usize, usize)> {
        let mut out = self.directed.clone();
        out.extend(self.undirected.iter().flat_map(|&(a, b)| [(a, b), (b, a)]));
        out.sort_unstable();
        out
    }
}

/// PC's orientation phase. `adjacency` is the skeleton (row-major `n × n`), and
/// `in_sepset(x, z, y)` tells whether `y` is in the separating set of the removed pair `x`, `z`.
pub fn orient_skeleton(
    n: usize,
    adjacency: &[bool],
    in_sepset: impl Fn(usize, usize, usize) -> bool,
) -> Cpdag {
    let mut g = Pdag::from_adjacency(n, adjacency);
    g.orient_colliders(|x, y, z| !in_sepset(x, z, y));
    g.apply_meek();
    g.to_cpdag()
}

/// Why a graph is not a DAG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphError {
    NodeOutOfRange { node: usize, n: usize },
    SelfLoop(usize),
    Cycle,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NodeOutOfRange { node, n } => write!(f, "node {node} is out of range (n = {n})"),
            Self::SelfLoop(v) => write!(f, "self-loop on node {v}"),
            Self::Cycle => write!(f, "the graph has a directed cycle"),
        }
    }
}

impl std::error::Error for GraphError {}

/// The CPDAG (Markov equivalence class) of the DAG with `edges` `(from, to)` over `n` nodes.
/// Repeated edges are allowed; an edge in both directions is a cycle.
pub fn dag_to_cpdag(n: usize, edges: &[(usize, usize)]) -> Result<Cpdag, GraphError> {
    let mut parent = vec![false; n * n];
    for &(a, b) in edges {
        for v in [a, b] {
            if v >= n {
                return Err(GraphError::NodeOutOfRange { node: v, n });
            }
        }
        if a == b {
            return Err(GraphError::SelfLoop(a));
        }
        parent[a * n + b] = true;
    }
    // Kahn's algorithm: every node must be removable in topological order.
    let mut indegree: Vec<usize> = (0..n).map(|b| (0..n).filter(|&a| parent[a * n + b]).count()).collect();
    let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut seen = 0;
    while let Some(a) = ready.pop() {
        seen += 1;
        for b in 0..n {
            if parent[a * n + b] {
                indegree[b] -= 1;
                if indegree[b] == 0 {
                    ready.push(b);
                }
            }
        }
    }
    if seen != n {
        return Err(GraphError::Cycle);
    }
    let adjacency: Vec<bool> = (0..n * n).map(|k| parent[k] || parent[(k % n) * n + k / n]).collect();
    let mut g = Pdag::from_adjacency(n, &adjacency);
    g.orient_colliders(|x, y, z| parent[x * n + y] && parent[z * n + y]);
    g.apply_meek();
    Ok(g.to_cpdag())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdag(n: usize, directed: &[(usize, usize)], undirected: &[(usize, usize)]) -> Pdag {
        let mut g = Pdag::new(n);
        for &(a, b) in undirected {
            g.add_undirected(a, b);
        }
        for &(a, b) in directed {
            g.add_directed(a, b);
        }
        g
    }

    #[test]
    fn meek_rule_1_propagates_along_a_chain() {
        // 0 → 1 – 2 – 3 with no shortcuts ⇒ 1 → 2 → 3.
        let mut g = pdag(4, &[(0, 1)], &[(1, 2), (2, 3)]);
        g.apply_meek();
        assert_eq!(g.to_cpdag().directed, vec![(0, 1), (1, 2), (2, 3)]);
        assert!(g.to_cpdag().undirected.is_empty());
    }

    #[test]
    fn meek_rule_1_needs_an_unshielded_triple() {
        // 0 → 1 – 2 with 0 – 2: rule 1 does not apply, and no other rule does.
        let mut g = pdag(3, &[(0, 1)], &[(1, 2), (0, 2)]);
        assert_eq!(g.apply_meek(), 0);
        assert_eq!(g.to_cpdag().undirected, vec![(0, 2), (1, 2)]);
    }

    #[test]
    fn meek_rule_2_avoids_cycles() {
        // 0 → 1 → 2 and 0 – 2 ⇒ 0 → 2.
        let mut g = pdag(3, &[(0, 1), (1, 2)], &[(0, 2)]);
        g.apply_meek();
        assert_eq!(g.to_cpdag().directed, vec![(0, 1), (0, 2), (1, 2)]);
    }

    #[test]
    fn meek_rule_3_orients_the_kite_diagonal() {
        // 0 – 1 → 3, 0 – 2 → 3, 1 and 2 not adjacent, 0 – 3 ⇒ 0 → 3; 0 – 1, 0 – 2 stay.
        let mut g = pdag(4, &[(1, 3), (2, 3)], &[(0, 1), (0, 2), (0, 3)]);
        g.apply_meek();
        let c = g.to_cpdag();
        assert_eq!(c.directed, vec![(0, 3), (1, 3), (2, 3)]);
        assert_eq!(c.undirected, vec![(0, 1), (0, 2)]);
    }

    #[test]
    fn undirected_graph_without_colliders_stays_undirected() {
        let mut g = pdag(3, &[], &[(0, 1), (1, 2)]);
        assert_eq!(g.apply_meek(), 0);
        assert_eq!(g.to_cpdag().edge_list(), vec![(0, 1), (1, 0), (1, 2), (2, 1)]);
    }

    #[test]
    fn colliders_from_sepsets_then_meek() {
        // Skeleton 0 – 2 – 1, 2 – 3; sepset(0,1) = {} ⇒ 0 → 2 ← 1, then rule 1 gives 2 → 3
        // (sepset(0,3) = sepset(1,3) = {2}).
        let n = 4;
        let mut adj = vec![false; n * n];
        for (a, b) in [(0, 2), (1, 2), (2, 3)] {
            adj[a * n + b] = true;
            adj[b * n + a] = true;
        }
        let c = orient_skeleton(n, &adj, |x, z, y| (x, z) != (0, 1) && y == 2);
        assert_eq!(c.directed, vec![(0, 2), (1, 2), (2, 3)]);
        assert!(c.undirected.is_empty());
    }

    #[test]
    fn conflicting_colliders_keep_the_first() {
        // Skeleton 0 – 1 – 2 – 3 with all sepsets empty: (0,1,2) orients 0 → 1 ← 2, then (1,2,3)
        // is skipped because 2 → 1 already points away from its middle node.
        let n = 4;
        let mut adj = vec![false; n * n];
        for (a, b) in [(0, 1), (1, 2), (2, 3)] {
            adj[a * n + b] = true;
            adj[b * n + a] = true;
        }
        let c = orient_skeleton(n, &adj, |_, _, _| false);
        assert_eq!(c.directed, vec![(0, 1), (2, 1)]);
        assert_eq!(c.undirected, vec![(2, 3)]);
    }

    #[test]
    fn dag_to_cpdag_keeps_v_structures_and_undirects_chains() {
        // v-structure 0 → 2 ← 1 stays directed, and 2 → 3 is compelled by rule 1.
        let c = dag_to_cpdag(4, &[(0, 2), (1, 2), (2, 3)]).unwrap();
        assert_eq!(c.directed, vec![(0, 2), (1, 2), (2, 3)]);
        assert!(c.undirected.is_empty());
        // A chain has no v-structure: everything undirected.
        let c = dag_to_cpdag(3, &[(0, 1), (1, 2)]).unwrap();
        assert!(c.directed.is_empty());
        assert_eq!(c.undirected, vec![(0, 1), (1, 2)]);
        // A complete DAG on three nodes is shielded everywhere: undirected.
        let c = dag_to_cpdag(3, &[(0, 1), (1, 2), (0, 2)]).unwrap();
        assert_eq!(c.undirected.len(), 3);
    }

    #[test]
    fn dag_to_cpdag_with_rule_2_and_3() {
        // Kite: 0 → 1, 0 → 2, 1 → 3, 2 → 3, 0 → 3 (1, 2 not adjacent). v-structure 1 → 3 ← 2;
        // rule 3 orients 0 → 3; 0 – 1 and 0 – 2 stay undirected.
        let c = dag_to_cpdag(4, &[(0, 1), (0, 2), (1, 3), (2, 3), (0, 3)]).unwrap();
        assert_eq!(c.directed, vec![(0, 3), (1, 3), (2, 3)]);
        assert_eq!(c.undirected, vec![(0, 1), (0, 2)]);
        // 0 → 2 ← 1 (v-structure), 2 → 3, 0 → 3: rule 1 gives 2 → 3, rule 2 gives 0 → 3.
        let c = dag_to_cpdag(4, &[(0, 2), (1, 2), (2, 3), (0, 3)]).unwrap();
        assert_eq!(c.directed, vec![(0, 2), (0, 3), (1, 2), (2, 3)]);
    }

    #[test]
    fn dag_to_cpdag_rejects_non_dags() {
        assert_eq!(dag_to_cpdag(2, &[(0, 1), (1, 0)]), Err(GraphError::Cycle));
        assert_eq!(dag_to_cpdag(3, &[(0, 1), (1, 2), (2, 0)]), Err(GraphError::Cycle));
        assert_eq!(dag_to_cpdag(2, &[(1, 1)]), Err(GraphError::SelfLoop(1)));
        assert!(matches!(dag_to_cpdag(2, &[(0, 5)]), Err(GraphError::NodeOutOfRange { .. })));
    }
}
