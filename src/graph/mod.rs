//! Graph analytics over result and ground-truth graphs: pure functions, no HTTP and no database.
//!
//! - [`Graph`]: the directed graph the endpoints build (api.md §6.7): dataset nodes plus result or
//!   ground-truth edges. An undirected (CPDAG) edge is two opposite arcs.
//! - `gml`: GML import for ground-truth uploads (§3.9).
//! - `export`: GEXF, GraphML, GML and node-link JSON export (§3.10, §6.7).
//! - `cpdag`: DAG → CPDAG (essential graph).
//! - `compare`: result-vs-result and result-vs-ground-truth metrics (§6.8, §6.9) plus SHD and
//!   skeleton/orientation scores.
//! - `context`, `confounders`: node neighbourhoods (§6.10, §8.2) and adjustment sets (§8.3).
//! - `histogram`, `categorical`, `adjustment`: the distribution computations of §9.
//! - `pyfmt`: Python's text form of floats, which several MPCSL formats expose.

pub mod adjustment;
pub mod categorical;
pub mod compare;
pub mod confounders;
pub mod context;
pub mod cpdag;
pub mod export;
pub mod gml;
pub mod histogram;
pub mod pyfmt;

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

/// A dataset node as a graph vertex: `id` is the node id, `label` the node name.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphNode {
    pub id: i64,
    pub label: String,
}

/// A directed edge. `label` is the edge's annotation name (`""` when it has none).
#[derive(Debug, Clone, PartialEq)]
pub struct GraphEdge {
    pub id: i64,
    pub from: i64,
    pub to: i64,
    pub weight: Option<f64>,
    pub label: String,
}

/// A directed graph as MPCSL builds it with networkx: graph attributes `id` and `name`, the
/// dataset's nodes and the result's (or ground truth's) edges.
///
/// The vectors are kept as given (database row order). Functions that need networkx's simple
/// `DiGraph` view use [`Graph::node_ids`] and [`Graph::simple_edges`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Graph {
    pub id: String,
    pub name: String,
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

impl Graph {
    /// The graph of a result (§6.7): `id` = result id, `name` = `Graph_<result_id>`.
    pub fn for_result(result_id: i64, nodes: Vec<GraphNode>, edges: Vec<GraphEdge>) -> Self {
        Self { id: result_id.to_string(), name: format!("Graph_{result_id}"), nodes, edges }
    }

    /// The ground-truth graph of a dataset (§3.10): `id` = dataset id,
    /// `name` = `Graph_ground_truth_<dataset_id>`.
    pub fn for_ground_truth(dataset_id: i64, nodes: Vec<GraphNode>, edges: Vec<GraphEdge>) -> Self {
        Self { id: dataset_id.to_string(), name: format!("Graph_ground_truth_{dataset_id}"), nodes, edges }
    }

    /// Every vertex id once, in networkx insertion order: the listed nodes first, then endpoints of
    /// edges that reference unlisted nodes (networkx adds those when the edge is added).
    pub fn node_ids(&self) -> Vec<i64> {
        let mut seen = HashSet::with_capacity(self.nodes.len());
        let mut ids = Vec::with_capacity(self.nodes.len());
        let endpoints = self.edges.iter().flat_map(|e| [e.from, e.to]);
        for id in self.nodes.iter().map(|n| n.id).chain(endpoints) {
            if seen.insert(id) {
                ids.push(id);
            }
        }
        ids
    }

    /// The label of every listed node. A node listed twice keeps its last label (networkx updates
    /// attributes in place); endpoints that are not listed have no entry.
    pub fn node_labels(&self) -> HashMap<i64, &str> {
        self.nodes.iter().map(|n| (n.id, n.label.as_str())).collect()
    }

    /// The edges of the simple directed graph networkx would hold: one edge per (from, to), the
    /// last duplicate winning (its id, weight and label), in networkx's iteration order, i.e.
    /// grouped by source vertex in [`Graph::node_ids`] order, then by first insertion.
    pub fn simple_edges(&self) -> Vec<&GraphEdge> {
        let position: HashMap<i64, usize> =
            self.node_ids().into_iter().enumerate().map(|(i, id)| (id, i)).collect();
        // One entry per distinct (from, to) in first-insertion order: (source position, index
        // of the last edge with that key).
        let mut entry_of: HashMap<(i64, i64), usize> = HashMap::with_capacity(self.edges.len());
        let mut entries: Vec<(usize, usize)> = Vec::with_capacity(self.edges.len());
        for (i, e) in self.edges.iter().enumerate() {
            match entry_of.entry((e.from, e.to)) {
                Entry::Occupied(slot) => entries[*slot.get()].1 = i,
                Entry::Vacant(slot) => {
                    slot.insert(entries.len());
                    entries.push((position.get(&e.from).copied().unwrap_or(usize::MAX), i));
                }
            }
        }
        // Stable: within a source, first-insertion order is kept.
        entries.sort_by_key(|&(pos, _)| pos);
        entries.into_iter().map(|(_, i)| &self.edges[i]).collect()
    }

    /// The distinct arcs (from, to) in [`Graph::simple_edges`] order.
    pub fn arcs(&self) -> Vec<(i64, i64)> {
        self.simple_edges().into_iter().map(|e| (e.from, e.to)).collect()
    }

    /// The set of arcs, for membership tests.
    pub fn arc_set(&self) -> HashSet<(i64, i64)> {
        self.edges.iter().map(|e| (e.from, e.to)).collect()
    }

    /// Direct successors of every vertex that has one, each list without duplicates and in
    /// first-insertion order.
    pub fn successors(&self) -> HashMap<i64, Vec<i64>> {
        let mut succ: HashMap<i64, Vec<i64>> = HashMap::new();
        for (from, to) in self.arcs() {
            succ.entry(from).or_default().push(to);
        }
        succ
    }

    /// Direct predecessors of every vertex that has one, without duplicates.
    pub fn predecessors(&self) -> HashMap<i64, Vec<i64>> {
        let mut pred: HashMap<i64, Vec<i64>> = HashMap::new();
        for (from, to) in self.arcs() {
            pred.entry(to).or_default().push(from);
        }
        pred
    }

    /// Neighbours in either direction (the skeleton), self-loops excluded.
    pub fn adjacency(&self) -> HashMap<i64, HashSet<i64>> {
        let mut adj: HashMap<i64, HashSet<i64>> = HashMap::new();
        for e in self.edges.iter().filter(|e| e.from != e.to) {
            adj.entry(e.from).or_default().insert(e.to);
            adj.entry(e.to).or_default().insert(e.from);
        }
        adj
    }
}

/// Vertex ids ↔ dense indices `0..n`, for the bitset and matrix computations.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeIndex {
    ids: Vec<i64>,
    position: HashMap<i64, usize>,
}

impl NodeIndex {
    pub(crate) fn new(ids: impl IntoIterator<Item = i64>) -> Self {
        let mut index = Self::default();
        for id in ids {
            index.insert(id);
        }
        index
    }

    /// Adds `id` when it is new; returns its index either way.
    pub(crate) fn insert(&mut self, id: i64) -> usize {
        *self.position.entry(id).or_insert_with(|| {
            self.ids.push(id);
            self.ids.len() - 1
        })
    }

    pub(crate) fn get(&self, id: i64) -> Option<usize> {
        self.position.get(&id).copied()
    }

    pub(crate) fn id(&self, index: usize) -> i64 {
        self.ids[index]
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }
}

/// A dense n×n boolean matrix stored as bits, one row of `u64` words per vertex.
#[derive(Debug, Clone)]
pub(crate) struct BitMatrix {
    n: usize,
    words_per_row: usize,
    bits: Vec<u64>,
}

impl BitMatrix {
    pub(crate) fn new(n: usize) -> Self {
        let words_per_row = n.div_ceil(64);
        Self { n, words_per_row, bits: vec![0; words_per_row * n] }
    }

    pub(crate) fn set(&mut self, row: usize, col: usize) {
        self.bits[row * self.words_per_row + col / 64] |= 1 << (col % 64);
    }

    pub(crate) fn get(&self, row: usize, col: usize) -> bool {
        self.bits[row * self.words_per_row + col / 64] & (1 << (col % 64)) != 0
    }

    pub(crate) fn row(&self, row: usize) -> &[u64] {
        &self.bits[row * self.words_per_row..(row + 1) * self.words_per_row]
    }

    pub(crate) fn size(&self) -> usize {
        self.n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(id: i64, from: i64, to: i64) -> GraphEdge {
        GraphEdge { id, from, to, weight: None, label: String::new() }
    }

    fn node(id: i64, label: &str) -> GraphNode {
        GraphNode { id, label: label.to_string() }
    }

    #[test]
    fn constructors_set_mpcsl_names() {
        let g = Graph::for_result(7, vec![], vec![]);
        assert_eq!((g.id.as_str(), g.name.as_str()), ("7", "Graph_7"));
        let g = Graph::for_ground_truth(3, vec![], vec![]);
        assert_eq!((g.id.as_str(), g.name.as_str()), ("3", "Graph_ground_truth_3"));
    }

    #[test]
    fn node_ids_append_unlisted_endpoints() {
        let g = Graph::for_result(1, vec![node(2, "b"), node(1, "a")], vec![edge(1, 9, 1), edge(2, 1, 8)]);
        assert_eq!(g.node_ids(), vec![2, 1, 9, 8]);
        assert_eq!(g.node_labels().get(&9), None);
        assert_eq!(g.node_labels()[&2], "b");
    }

    #[test]
    fn simple_edges_follow_networkx_order_and_last_duplicate_wins() {
        // Nodes 1, 2, 3. Edges in row order: 2→3 (id 10), 1→3 (11), 1→2 (12), 2→3 again (13).
        // networkx iterates sources in node order (1 then 2), targets by first insertion:
        // 1→3, 1→2, 2→3; the duplicate 2→3 keeps its first position but the attributes of id 13.
        let g = Graph::for_result(
            1,
            vec![node(1, "a"), node(2, "b"), node(3, "c")],
            vec![edge(10, 2, 3), edge(11, 1, 3), edge(12, 1, 2), edge(13, 2, 3)],
        );
        let ids: Vec<i64> = g.simple_edges().iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![11, 12, 13]);
        assert_eq!(g.arcs(), vec![(1, 3), (1, 2), (2, 3)]);
        assert_eq!(g.successors()[&1], vec![3, 2]);
        assert_eq!(g.predecessors()[&3], vec![1, 2]);
        assert!(g.adjacency()[&3].contains(&2));
    }

    #[test]
    fn bit_matrix_round_trips_bits_across_words() {
        let mut m = BitMatrix::new(130);
        m.set(129, 127);
        m.set(0, 64);
        assert!(m.get(129, 127) && m.get(0, 64));
        assert!(!m.get(129, 126) && !m.get(0, 63));
        assert_eq!(m.row(0).len(), 3);
        assert_eq!(m.size(), 130);
    }
}
