//! Node neighbourhoods (api.md §8.2 for one node, §6.10 for every node of a result).
//!
//! The functions work on any edge type through an `endpoints` accessor, so the API can pass its
//! database rows directly and get back indices into them.

use std::collections::{HashMap, HashSet};

/// The context of one node: the edges touching it and the other ends of those edges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeContext {
    pub node: i64,
    /// Indices into the edge slice of the edges with `from = node` or `to = node`, in slice order.
    pub edges: Vec<usize>,
    /// The distinct other endpoints of those edges (the node itself excluded), in order of first
    /// appearance. The spec leaves the order open.
    pub context_nodes: Vec<i64>,
}

/// The context of `node` among `edges` (§8.2).
pub fn node_context<E>(node: i64, edges: &[E], endpoints: impl Fn(&E) -> (i64, i64)) -> NodeContext {
    let mut context = NodeContext { node, ..NodeContext::default() };
    let mut seen = HashSet::new();
    for (i, edge) in edges.iter().enumerate() {
        let (from, to) = endpoints(edge);
        if from != node && to != node {
            continue;
        }
        context.edges.push(i);
        let other = if from == node { to } else { from };
        if other != node && seen.insert(other) {
            context.context_nodes.push(other);
        }
    }
    context
}

/// The context of every node in `nodes` (§6.10), in that order, in one pass over the edges.
pub fn result_context<E>(
    nodes: &[i64],
    edges: &[E],
    endpoints: impl Fn(&E) -> (i64, i64),
) -> Vec<NodeContext> {
    let mut contexts: Vec<NodeContext> =
        nodes.iter().map(|&node| NodeContext { node, ..Default::default() }).collect();
    // A node listed twice gets the same context twice.
    let mut slots: HashMap<i64, Vec<usize>> = HashMap::with_capacity(nodes.len());
    for (slot, &node) in nodes.iter().enumerate() {
        slots.entry(node).or_default().push(slot);
    }
    let mut seen: HashSet<(usize, i64)> = HashSet::new();
    let mut record = |slot: usize, edge: usize, other: Option<i64>| {
        let context = &mut contexts[slot];
        context.edges.push(edge);
        if let Some(other) = other
            && seen.insert((slot, other))
        {
            context.context_nodes.push(other);
        }
    };
    for (i, edge) in edges.iter().enumerate() {
        let (from, to) = endpoints(edge);
        let other_end = |node: i64| (from != to).then_some(if node == from { to } else { from });
        for &slot in slots.get(&from).into_iter().flatten() {
            record(slot, i, other_end(from));
        }
        if to != from {
            for &slot in slots.get(&to).into_iter().flatten() {
                record(slot, i, other_end(to));
            }
        }
    }
    contexts
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDGES: [(i64, i64); 5] = [(1, 2), (3, 1), (2, 3), (1, 2), (1, 1)];

    #[test]
    fn node_context_collects_incident_edges_and_distinct_neighbours() {
        // Node 1 touches edges 0 (1→2), 1 (3→1), 3 (1→2 again) and 4 (the self-loop). Its
        // context nodes are 2 and 3, each once; the self-loop adds no context node.
        let c = node_context(1, &EDGES, |&(a, b)| (a, b));
        assert_eq!(c.edges, vec![0, 1, 3, 4]);
        assert_eq!(c.context_nodes, vec![2, 3]);
        // A node without edges (or an unknown result: no edges at all) has empty lists.
        let c = node_context(9, &EDGES, |&(a, b)| (a, b));
        assert!(c.edges.is_empty() && c.context_nodes.is_empty());
        assert!(node_context::<(i64, i64)>(1, &[], |&(a, b)| (a, b)).edges.is_empty());
    }

    #[test]
    fn result_context_matches_node_context_for_every_node() {
        let nodes = [1, 2, 3, 4];
        let all = result_context(&nodes, &EDGES, |&(a, b)| (a, b));
        assert_eq!(all.len(), 4);
        for (context, &node) in all.iter().zip(&nodes) {
            assert_eq!(context, &node_context(node, &EDGES, |&(a, b)| (a, b)));
        }
        assert_eq!(all[1].edges, vec![0, 2, 3]);
        assert_eq!(all[1].context_nodes, vec![1, 3]);
        assert!(all[3].edges.is_empty());
    }
}
