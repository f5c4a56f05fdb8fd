//! Graph comparison (api.md §6.8 result vs result, §6.9 result vs ground truth).
//!
//! [`compare`] computes MPCSL's numbers — error types with rates and edge lists, precision,
//! graph edit distance, mean Jaccard coefficient of successor sets, Hamming distance of the
//! adjacency matrices and of the CPDAG-completed reference — plus the scores benchpress users
//! expect: SHD between the two CPDAGs and skeleton / arrowhead precision, recall and F1.
//!
//! Everything works on dense indices and bit matrices, so 1,000 nodes with 100,000 edges take a
//! few milliseconds; the cost is dominated by the true-negative list, which the API returns and
//! which has up to n·(n−1) entries.

use serde::{Serialize, Serializer};

use super::cpdag::compelled_arcs;
use super::{BitMatrix, Graph, NodeIndex};

/// The response object of §6.8, with the extra scores in additional fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// |FP| + |FN|.
    pub graph_edit_distance: usize,
    /// Mean over the candidate's nodes of |succ_C ∩ succ_R| / |succ_C ∪ succ_R| (1 for an empty
    /// union); 0 when the candidate has no nodes.
    pub mean_jaccard_coefficient: f64,
    pub error_types: ErrorTypes,
    pub hamming_distance: Hamming,
    pub hamming_distance_pcdag: Hamming,
    /// Structural Hamming distance between the CPDAGs of the two graphs: the number of unordered
    /// node pairs {u, v} whose mark differs (adjacent in one graph only, or adjacent in both with
    /// a different orientation: u → v, v → u or undirected). Each pair counts once, so a reversed
    /// arc costs 1, not 2. A graph that is not a DAG (a PC result with undirected edges already
    /// is a PDAG) is compared as it is, with a two-way pair read as an undirected edge.
    pub shd_cpdag: usize,
    /// Adjacency (skeleton) scores, orientation ignored.
    pub skeleton: SkeletonScores,
    /// Arrowhead scores on the CPDAGs: an arrowhead is a directed (one-way) arc u → v.
    pub oriented: OrientationScores,
}

/// FP/TN/FN/TP with rates and edge lists, and precision (§6.8).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorTypes {
    pub false_positives: ErrorType,
    pub true_negatives: ErrorType,
    pub false_negatives: ErrorType,
    pub true_positives: ErrorType,
    pub precision: PrecisionRate,
}

/// One error class: its rate and its ordered pairs `[from, to]` (in no defined order; this
/// implementation lists them by reference node order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorType {
    pub rate: Rate,
    pub edges: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PrecisionRate {
    pub rate: Rate,
}

/// A rate as MPCSL writes it: a float, except that a rate whose denominator was zero is the
/// integer `0` or `1` (Python's `0` and `1 - 0`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub value: f64,
    /// The denominator was zero and `value` is the 0/1 fallback.
    pub degenerate: bool,
}

impl Rate {
    fn ratio(numerator: usize, denominator: usize) -> Self {
        if denominator == 0 {
            Rate { value: 0.0, degenerate: true }
        } else {
            Rate { value: numerator as f64 / denominator as f64, degenerate: false }
        }
    }

    fn complement(self) -> Self {
        Rate { value: 1.0 - self.value, degenerate: self.degenerate }
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.degenerate { s.serialize_i64(self.value as i64) } else { s.serialize_f64(self.value) }
    }
}

/// A Hamming distance: a fraction, `null` when there are no matrix cells (no nodes, MPCSL's
/// `NaN`), or `-1` when it could not be computed (node counts differ; for the CPDAG variant also
/// a reference that is not a DAG). §6.9 (`gtcompare`) turns [`Hamming::Failed`] into a 500.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Hamming {
    Value(f64),
    Undefined,
    Failed,
}

impl Serialize for Hamming {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Hamming::Value(v) => s.serialize_f64(*v),
            Hamming::Undefined => s.serialize_none(),
            Hamming::Failed => s.serialize_i64(-1),
        }
    }
}

/// Skeleton scores over unordered pairs {u, v}, u ≠ v: precision = TP/(TP+FP),
/// recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN), FPR = FP/(reference non-adjacent pairs).
/// A ratio with a zero denominator is `None` (`null`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SkeletonScores {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
    pub fpr: Option<f64>,
}

/// Arrowhead scores: TP = one-way arcs u → v present as u → v in both CPDAGs, FP = candidate
/// arrowheads not in the reference, FN = reference arrowheads not in the candidate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OrientationScores {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

fn fraction(numerator: usize, denominator: usize) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// Compares `candidate` against `reference` (the "ground truth" role).
///
/// Ordered pairs range over the union of both graphs' vertices (identical for two graphs of the
/// same dataset, as the API builds them; MPCSL would 500 otherwise). Edge weights and labels
/// play no role; duplicate arcs count once.
pub fn compare(reference: &Graph, candidate: &Graph) -> Comparison {
    let ref_ids = reference.node_ids();
    let cand_ids = candidate.node_ids();
    // node_ids() covers every edge endpoint, so the index is complete before any arc is mapped.
    let index = NodeIndex::new(ref_ids.iter().chain(&cand_ids).copied());
    let n = index.len();
    let (ref_arcs, r) = indexed_arcs(reference, &index);
    let (cand_arcs, c) = indexed_arcs(candidate, &index);

    let error_types = error_types(&r, &c, &index);
    let graph_edit_distance =
        error_types.false_positives.edges.len() + error_types.false_negatives.edges.len();
    let mean_jaccard_coefficient = mean_jaccard(&r, &c, cand_ids.iter().filter_map(|&id| index.get(id)));

    let hamming_distance = hamming(&ref_ids, &ref_arcs, &cand_ids, &cand_arcs, &index);
    let hamming_distance_pcdag = match cpdag_completion(&ref_arcs, n) {
        Some(completed) => hamming(&ref_ids, &completed, &cand_ids, &cand_arcs, &index),
        None => Hamming::Failed,
    };

    let ref_pattern = pattern(n, &ref_arcs);
    let cand_pattern = pattern(n, &cand_arcs);
    let (shd_cpdag, skeleton, oriented) = pattern_scores(&ref_pattern, &cand_pattern);

    Comparison {
        graph_edit_distance,
        mean_jaccard_coefficient,
        error_types,
        hamming_distance,
        hamming_distance_pcdag,
        shd_cpdag,
        skeleton,
        oriented,
    }
}

/// Counts of MPCSL's error types over ordered pairs (self-loops only as true positives), as
/// the lengths of [`ErrorTypes`]' edge lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCounts {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
}

/// The scores a benchmark needs, without [`compare`]'s edge lists and Hamming distances:
/// error-type counts, SHD between the CPDAGs and the skeleton scores, equal to the
/// corresponding fields of [`compare`]'s answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub error_counts: ErrorCounts,
    pub shd_cpdag: usize,
    pub skeleton: SkeletonScores,
}

/// [`compare`]'s counts and scores only (a study's benchmark compares hundreds of results).
pub fn scores(reference: &Graph, candidate: &Graph) -> Scores {
    let index = NodeIndex::new(reference.node_ids().into_iter().chain(candidate.node_ids()));
    let n = index.len();
    let (ref_arcs, r) = indexed_arcs(reference, &index);
    let (cand_arcs, c) = indexed_arcs(candidate, &index);
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for u in 0..n {
        for (a, b) in r.row(u).iter().zip(c.row(u)) {
            tp += (a & b).count_ones() as usize;
            fp += (!a & b).count_ones() as usize;
            fn_ += (a & !b).count_ones() as usize;
        }
    }
    // Off the diagonal every ordered pair is one of the four; on it only a self-loop in both
    // counts (a true positive), as in `error_types`.
    let diagonal = |wanted: (bool, bool)| (0..n).filter(|&u| (r.get(u, u), c.get(u, u)) == wanted).count();
    let both_loops = diagonal((true, true));
    let (fp, fn_) = (fp - diagonal((false, true)), fn_ - diagonal((true, false)));
    let tn = n * n.saturating_sub(1) - (tp - both_loops) - fp - fn_;
    let (shd_cpdag, skeleton, _) = pattern_scores(&pattern(n, &ref_arcs), &pattern(n, &cand_arcs));
    Scores {
        error_counts: ErrorCounts {
            true_positives: tp,
            false_positives: fp,
            false_negatives: fn_,
            true_negatives: tn,
        },
        shd_cpdag,
        skeleton,
    }
}

/// The graph's distinct arcs as index pairs (first occurrences, in edge order) and its
/// adjacency matrix. Every endpoint must be in `index`.
fn indexed_arcs(graph: &Graph, index: &NodeIndex) -> (Vec<(usize, usize)>, BitMatrix) {
    let mut m = BitMatrix::new(index.len());
    let mut arcs = Vec::with_capacity(graph.edges.len());
    for e in &graph.edges {
        let (Some(a), Some(b)) = (index.get(e.from), index.get(e.to)) else { continue };
        if !m.get(a, b) {
            m.set(a, b);
            arcs.push((a, b));
        }
    }
    (arcs, m)
}

fn matrix(n: usize, arcs: &[(usize, usize)]) -> BitMatrix {
    let mut m = BitMatrix::new(n);
    for &(a, b) in arcs {
        m.set(a, b);
    }
    m
}

fn error_types(r: &BitMatrix, c: &BitMatrix, index: &NodeIndex) -> ErrorTypes {
    let n = r.size();
    let (mut fp, mut tn, mut fn_, mut tp) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for u in 0..n {
        for v in 0..n {
            let (in_r, in_c) = (r.get(u, v), c.get(u, v));
            if u == v {
                // A self-loop is never a non-edge: it can only be a true positive.
                if in_r && in_c {
                    tp.push((index.id(u), index.id(v)));
                }
                continue;
            }
            let list = match (in_r, in_c) {
                (false, true) => &mut fp,
                (false, false) => &mut tn,
                (true, false) => &mut fn_,
                (true, true) => &mut tp,
            };
            list.push((index.id(u), index.id(v)));
        }
    }
    let fp_rate = Rate::ratio(fp.len(), fp.len() + tn.len());
    let fn_rate = Rate::ratio(fn_.len(), fn_.len() + tp.len());
    let precision = Rate::ratio(tp.len(), tp.len() + fp.len());
    ErrorTypes {
        false_positives: ErrorType { rate: fp_rate, edges: fp },
        true_negatives: ErrorType { rate: fp_rate.complement(), edges: tn },
        false_negatives: ErrorType { rate: fn_rate, edges: fn_ },
        true_positives: ErrorType { rate: fn_rate.complement(), edges: tp },
        precision: PrecisionRate { rate: precision },
    }
}

fn mean_jaccard(r: &BitMatrix, c: &BitMatrix, nodes: impl Iterator<Item = usize>) -> f64 {
    let (mut sum, mut count) = (0.0, 0usize);
    for v in nodes {
        let (mut both, mut either) = (0u32, 0u32);
        for (a, b) in r.row(v).iter().zip(c.row(v)) {
            both += (a & b).count_ones();
            either += (a | b).count_ones();
        }
        sum += if either == 0 { 1.0 } else { f64::from(both) / f64::from(either) };
        count += 1;
    }
    if count == 0 { 0.0 } else { sum / count as f64 }
}

/// The fraction of adjacency-matrix cells where the two graphs disagree (§6.8): off-diagonal
/// cells, plus the diagonal when either graph has a self-loop. Matrices are laid out in each
/// graph's node order, which for equal node sets means the reference's order (cells compared
/// by node id); with different node sets of equal size MPCSL compares by position, and so does
/// this.
fn hamming(
    ref_ids: &[i64],
    ref_arcs: &[(usize, usize)],
    cand_ids: &[i64],
    cand_arcs: &[(usize, usize)],
    index: &NodeIndex,
) -> Hamming {
    let n = ref_ids.len();
    if n != cand_ids.len() {
        return Hamming::Failed;
    }
    if n == 0 {
        return Hamming::Undefined;
    }
    // position[i] = the matrix row of global index i, per graph.
    let ref_position = positions(ref_ids, index);
    let same_nodes = cand_ids.iter().all(|&id| index.get(id).is_some_and(|i| ref_position[i] != usize::MAX));
    let cand_position = if same_nodes { ref_position.clone() } else { positions(cand_ids, index) };
    let cells = |arcs: &[(usize, usize)], position: &[usize]| -> Vec<usize> {
        let mut cells: Vec<usize> = arcs.iter().map(|&(a, b)| position[a] * n + position[b]).collect();
        cells.sort_unstable();
        cells.dedup();
        cells
    };
    let (rc, cc) = (cells(ref_arcs, &ref_position), cells(cand_arcs, &cand_position));
    let differing = symmetric_difference_len(&rc, &cc);
    let self_loop = ref_arcs.iter().chain(cand_arcs).any(|(a, b)| a == b);
    let total = if self_loop { n * n } else { n * (n - 1) };
    if total == 0 {
        // One node and no self-loop: no cell to compare (numpy's mean of nothing).
        return Hamming::Undefined;
    }
    Hamming::Value(differing as f64 / total as f64)
}

fn positions(ids: &[i64], index: &NodeIndex) -> Vec<usize> {
    let mut position = vec![usize::MAX; index.len()];
    for (p, &id) in ids.iter().enumerate() {
        if let Some(i) = index.get(id) {
            position[i] = p;
        }
    }
    position
}

fn symmetric_difference_len(a: &[usize], b: &[usize]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    a.len() + b.len() - 2 * common
}

/// The reference plus the reverse of every undirected CPDAG edge; `None` when it is not a DAG.
fn cpdag_completion(arcs: &[(usize, usize)], n: usize) -> Option<Vec<(usize, usize)>> {
    let compelled = compelled_arcs(n, arcs).ok()?;
    let mut completed = arcs.to_vec();
    completed.extend(arcs.iter().zip(&compelled).filter(|(_, c)| !**c).map(|(&(a, b), _)| (b, a)));
    Some(completed)
}

/// The graph's CPDAG as a matrix (undirected = both directions) when it is a DAG; otherwise the
/// graph itself, read as a PDAG. Self-loops are dropped: they have no mark.
fn pattern(n: usize, arcs: &[(usize, usize)]) -> BitMatrix {
    let arcs: Vec<(usize, usize)> = arcs.iter().copied().filter(|(a, b)| a != b).collect();
    match cpdag_completion(&arcs, n) {
        Some(completed) => matrix(n, &completed),
        None => matrix(n, &arcs),
    }
}

fn pattern_scores(r: &BitMatrix, c: &BitMatrix) -> (usize, SkeletonScores, OrientationScores) {
    let n = r.size();
    let mut shd = 0;
    let (mut s_tp, mut s_fp, mut s_fn, mut ref_adjacent) = (0, 0, 0, 0);
    let (mut o_tp, mut o_fp, mut o_fn) = (0, 0, 0);
    for u in 0..n {
        for v in u + 1..n {
            let ref_mark = (r.get(u, v), r.get(v, u));
            let cand_mark = (c.get(u, v), c.get(v, u));
            shd += usize::from(ref_mark != cand_mark);
            let (ra, ca) = (ref_mark.0 || ref_mark.1, cand_mark.0 || cand_mark.1);
            ref_adjacent += usize::from(ra);
            match (ra, ca) {
                (true, true) => s_tp += 1,
                (false, true) => s_fp += 1,
                (true, false) => s_fn += 1,
                (false, false) => {}
            }
            // Arrowheads: the one-way arc of the pair, if any, in each graph.
            let arrow = |(forward, backward): (bool, bool)| match (forward, backward) {
                (true, false) => Some(true),
                (false, true) => Some(false),
                _ => None,
            };
            match (arrow(ref_mark), arrow(cand_mark)) {
                (Some(a), Some(b)) if a == b => o_tp += 1,
                (Some(_), Some(_)) => {
                    o_fp += 1;
                    o_fn += 1;
                }
                (Some(_), None) => o_fn += 1,
                (None, Some(_)) => o_fp += 1,
                (None, None) => {}
            }
        }
    }
    let pairs = n * n.saturating_sub(1) / 2;
    let skeleton = SkeletonScores {
        true_positives: s_tp,
        false_positives: s_fp,
        false_negatives: s_fn,
        precision: fraction(s_tp, s_tp + s_fp),
        recall: fraction(s_tp, s_tp + s_fn),
        f1: fraction(2 * s_tp, 2 * s_tp + s_fp + s_fn),
        fpr: fraction(s_fp, pairs - ref_adjacent),
    };
    let oriented = OrientationScores {
        true_positives: o_tp,
        false_positives: o_fp,
        false_negatives: o_fn,
        precision: fraction(o_tp, o_tp + o_fp),
        recall: fraction(o_tp, o_tp + o_fn),
        f1: fraction(2 * o_tp, 2 * o_tp + o_fp + o_fn),
    };
    (shd, skeleton, oriented)
}

#[cfg(test)]
mod tests {
    use super::super::{GraphEdge, GraphNode};
    use super::*;
    use serde_json::json;

    fn graph(nodes: &[i64], arcs: &[(i64, i64)]) -> Graph {
        let nodes = nodes.iter().map(|&id| GraphNode { id, label: format!("n{id}") }).collect();
        let edges = arcs
            .iter()
            .enumerate()
            .map(|(i, &(from, to))| GraphEdge {
                id: i as i64,
                from,
                to,
                weight: Some(1.0),
                label: String::new(),
            })
            .collect();
        Graph::for_result(1, nodes, edges)
    }

    fn sorted(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
        v.sort_unstable();
        v
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn worked_example_identical_cyclic_graphs() {
        // §6.8: reference = candidate = 1→2, 2→1, 2→3 over {1, 2, 3}.
        let g = graph(&[1, 2, 3], &[(1, 2), (2, 1), (2, 3)]);
        let cmp = compare(&g, &g);
        let et = &cmp.error_types;
        assert_eq!(sorted(et.true_positives.edges.clone()), vec![(1, 2), (2, 1), (2, 3)]);
        assert!(et.false_positives.edges.is_empty() && et.false_negatives.edges.is_empty());
        assert_eq!(sorted(et.true_negatives.edges.clone()), vec![(1, 3), (3, 1), (3, 2)]);
        assert_eq!((et.false_positives.rate.value, et.true_negatives.rate.value), (0.0, 1.0));
        assert_eq!((et.false_negatives.rate.value, et.true_positives.rate.value), (0.0, 1.0));
        assert_eq!(et.precision.rate.value, 1.0);
        assert_eq!(cmp.graph_edit_distance, 0);
        assert_eq!(cmp.mean_jaccard_coefficient, 1.0);
        assert_eq!(cmp.hamming_distance, Hamming::Value(0.0));
        // The 1 ⇄ 2 pair is a cycle, so the reference has no CPDAG.
        assert_eq!(cmp.hamming_distance_pcdag, Hamming::Failed);
        assert_eq!(cmp.shd_cpdag, 0);
    }

    #[test]
    fn worked_example_result_vs_ground_truth() {
        // §6.9: result 1→2, 2→1, 2→3; ground truth 1→2, 3→2.
        let truth = graph(&[1, 2, 3], &[(1, 2), (3, 2)]);
        let result = graph(&[1, 2, 3], &[(1, 2), (2, 1), (2, 3)]);
        let cmp = compare(&truth, &result);
        let et = &cmp.error_types;
        assert_eq!(sorted(et.false_positives.edges.clone()), vec![(2, 1), (2, 3)]);
        assert_eq!(sorted(et.true_negatives.edges.clone()), vec![(1, 3), (3, 1)]);
        assert_eq!(et.false_negatives.edges, vec![(3, 2)]);
        assert_eq!(et.true_positives.edges, vec![(1, 2)]);
        // FP rate 2/(2+2), FN rate 1/(1+1), precision 1/(1+2).
        assert_eq!(et.false_positives.rate.value, 0.5);
        assert_eq!(et.true_negatives.rate.value, 0.5);
        assert_eq!(et.false_negatives.rate.value, 0.5);
        assert_eq!(et.true_positives.rate.value, 0.5);
        assert!((et.precision.rate.value - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(cmp.graph_edit_distance, 3);
        // succ: node 1 {2} vs {2} → 1; node 2 {1, 3} vs {} → 0; node 3 {} vs {2} → 0.
        assert!((cmp.mean_jaccard_coefficient - 1.0 / 3.0).abs() < 1e-15);
        // Cells differing: (2,1), (2,3), (3,2) of 6.
        assert_eq!(cmp.hamming_distance, Hamming::Value(0.5));
        // The truth is a v-structure: its CPDAG adds nothing.
        assert_eq!(cmp.hamming_distance_pcdag, Hamming::Value(0.5));
    }

    #[test]
    fn json_field_names_and_number_forms() {
        let truth = graph(&[1, 2, 3], &[(1, 2), (3, 2)]);
        let result = graph(&[1, 2, 3], &[(1, 2), (2, 1), (2, 3)]);
        let value = serde_json::to_value(compare(&truth, &result)).expect("serialisable");
        assert_eq!(value["graph_edit_distance"], json!(3));
        assert_eq!(value["error_types"]["false_negatives"], json!({"rate": 0.5, "edges": [[3, 2]]}));
        assert!(value["error_types"]["precision"]["rate"].is_f64());
        assert_eq!(value["hamming_distance"], json!(0.5));
        assert!(value["skeleton"]["fpr"].is_number() && value["oriented"]["f1"].is_number());
        assert!(value["shd_cpdag"].is_u64());

        // Empty graphs: zero denominators give the integers 0/1, Hamming values are null, and
        // the extra ratios are null; nothing is NaN.
        let empty = Graph::default();
        let value = serde_json::to_value(compare(&empty, &empty)).expect("serialisable");
        assert_eq!(value["error_types"]["false_positives"]["rate"], json!(0));
        assert_eq!(value["error_types"]["true_negatives"]["rate"], json!(1));
        assert_eq!(value["error_types"]["precision"]["rate"], json!(0));
        assert!(value["error_types"]["precision"]["rate"].is_i64());
        assert_eq!(value["hamming_distance"], json!(null));
        assert_eq!(value["hamming_distance_pcdag"], json!(null));
        assert_eq!(value["mean_jaccard_coefficient"], json!(0.0));
        assert_eq!(
            value["skeleton"],
            json!({"true_positives": 0, "false_positives": 0, "false_negatives": 0,
            "precision": null, "recall": null, "f1": null, "fpr": null})
        );

        // A failed Hamming value is the integer -1.
        let other = graph(&[1, 2], &[]);
        let value = serde_json::to_value(compare(&other, &graph(&[1, 2, 3], &[]))).expect("serialisable");
        assert_eq!(value["hamming_distance"], json!(-1));
        assert_eq!(value["hamming_distance_pcdag"], json!(-1));
    }

    #[test]
    fn earthquake_with_a_reversed_and_an_extra_edge() {
        // B=1, E=2, A=3, J=4, M=5. Truth: B→A, E→A, A→J, A→M. Candidate: A→J reversed to J→A,
        // extra B→E.
        let nodes = [1, 2, 3, 4, 5];
        let truth = graph(&nodes, &[(1, 3), (2, 3), (3, 4), (3, 5)]);
        let cand = graph(&nodes, &[(1, 3), (2, 3), (4, 3), (3, 5), (1, 2)]);
        let cmp = compare(&truth, &cand);
        let et = &cmp.error_types;
        // TP: B→A, E→A, A→M. FP: J→A, B→E. FN: A→J. TN: 20 ordered pairs − 3 − 2 − 1 = 14.
        assert_eq!(et.true_positives.edges.len(), 3);
        assert_eq!(sorted(et.false_positives.edges.clone()), vec![(1, 2), (4, 3)]);
        assert_eq!(et.false_negatives.edges, vec![(3, 4)]);
        assert_eq!(et.true_negatives.edges.len(), 14);
        assert!((et.false_positives.rate.value - 2.0 / 16.0).abs() < 1e-15);
        assert!((et.false_negatives.rate.value - 1.0 / 4.0).abs() < 1e-15);
        assert!((et.precision.rate.value - 3.0 / 5.0).abs() < 1e-15);
        assert_eq!(cmp.graph_edit_distance, 3);
        // Jaccard: B {A} vs {A,E} → 1/2; E {A} vs {A} → 1; A {J,M} vs {M} → 1/2;
        // J {} vs {A} → 0; M {} vs {} → 1. Mean = 3/5.
        assert!((cmp.mean_jaccard_coefficient - 0.6).abs() < 1e-15);
        // Cells: (1,2), (4,3), (3,4) differ out of 20.
        assert_eq!(cmp.hamming_distance, Hamming::Value(0.15));
        // The truth's CPDAG is fully directed (v-structure at A, rule 1 below it): same 0.15.
        assert_eq!(cmp.hamming_distance_pcdag, Hamming::Value(0.15));
        // Candidate CPDAG: B→A←J and E→A←J are v-structures, A→M by rule 1, and B—E stays
        // undirected (B, E are both parents of A but adjacent). Pairs differing from the truth
        // CPDAG: {A,J} (A→J vs J→A) and {B,E} (absent vs undirected): SHD 2.
        assert_eq!(cmp.shd_cpdag, 2);
        // Skeleton: truth pairs {BA, EA, AJ, AM}; candidate adds {BE}. TP 4, FP 1, FN 0.
        // FPR = 1 / (10 pairs − 4 adjacent).
        let s = cmp.skeleton;
        assert_eq!((s.true_positives, s.false_positives, s.false_negatives), (4, 1, 0));
        assert!(close(s.precision, 0.8) && close(s.recall, 1.0) && close(s.f1, 8.0 / 9.0));
        assert!(close(s.fpr, 1.0 / 6.0));
        // Arrowheads: truth {B→A, E→A, A→J, A→M}; candidate {B→A, E→A, J→A, A→M} (B—E has
        // none). TP 3; the A–J pair is one FP and one FN.
        let o = cmp.oriented;
        assert_eq!((o.true_positives, o.false_positives, o.false_negatives), (3, 1, 1));
        assert!(close(o.precision, 0.75) && close(o.recall, 0.75) && close(o.f1, 0.75));
    }

    #[test]
    fn shd_counts_pairs_once_and_compares_equivalence_classes() {
        // A chain and its reverse are Markov equivalent: same CPDAG, SHD 0, although the raw
        // Hamming distance sees 4 differing cells of 6.
        let nodes = [1, 2, 3];
        let a = graph(&nodes, &[(1, 2), (2, 3)]);
        let b = graph(&nodes, &[(3, 2), (2, 1)]);
        let cmp = compare(&a, &b);
        assert_eq!(cmp.shd_cpdag, 0);
        assert!(matches!(cmp.hamming_distance, Hamming::Value(h) if (h - 4.0 / 6.0).abs() < 1e-15));
        // Undirected chain (a PC output: both directions) against the DAG chain: same CPDAG.
        let pdag = graph(&nodes, &[(1, 2), (2, 1), (2, 3), (3, 2)]);
        assert_eq!(compare(&a, &pdag).shd_cpdag, 0);
        // No arrowheads anywhere: orientation ratios are undefined.
        assert_eq!(compare(&a, &pdag).oriented.precision, None);
        // Against the collider 1→2←3 every pair's mark differs: 2.
        let collider = graph(&nodes, &[(1, 2), (3, 2)]);
        assert_eq!(compare(&a, &collider).shd_cpdag, 2);
    }

    #[test]
    fn self_loops_count_only_as_true_positives_and_widen_hamming() {
        // Reference 1→1, 1→2; candidate 1→1. The self-loop is a TP, never FP/TN/FN; the Hamming
        // denominator becomes n² = 4 with one differing cell (1,2).
        let r = graph(&[1, 2], &[(1, 1), (1, 2)]);
        let c = graph(&[1, 2], &[(1, 1)]);
        let cmp = compare(&r, &c);
        assert_eq!(cmp.error_types.true_positives.edges, vec![(1, 1)]);
        assert_eq!(cmp.error_types.false_negatives.edges, vec![(1, 2)]);
        assert_eq!(cmp.error_types.true_negatives.edges, vec![(2, 1)]);
        assert_eq!(cmp.hamming_distance, Hamming::Value(0.25));
        assert_eq!(cmp.hamming_distance_pcdag, Hamming::Failed);
    }

    #[test]
    fn hamming_aligns_by_id_and_handles_other_node_orders() {
        // Same nodes listed in a different order: cells are matched by node id.
        let r = graph(&[1, 2, 3], &[(1, 2)]);
        let c = graph(&[3, 2, 1], &[(1, 2)]);
        assert_eq!(compare(&r, &c).hamming_distance, Hamming::Value(0.0));
        // Different node sets of equal size: by position (MPCSL's matrices), so 10→20 lines up
        // with 1→2.
        let c = graph(&[10, 20, 30], &[(10, 20)]);
        let cmp = compare(&r, &c);
        assert_eq!(cmp.hamming_distance, Hamming::Value(0.0));
        // … while the error types use the union of the node sets.
        assert_eq!(cmp.error_types.false_positives.edges, vec![(10, 20)]);
        // A candidate node unknown to the reference has no reference successors.
        assert!((cmp.mean_jaccard_coefficient - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn scores_agree_with_compare() {
        let cases = [
            (
                graph(&[1, 2, 3, 4], &[(1, 2), (2, 3), (4, 3)]),
                graph(&[1, 2, 3, 4], &[(2, 3), (3, 2), (1, 4)]),
            ),
            (graph(&[1, 2, 3], &[(1, 1), (1, 2)]), graph(&[1, 2, 3], &[(1, 1), (2, 2), (3, 1)])),
            (graph(&[1, 2], &[]), graph(&[1, 2], &[(1, 2)])),
            (graph(&[], &[]), graph(&[], &[])),
        ];
        for (reference, candidate) in cases {
            let full = compare(&reference, &candidate);
            let quick = scores(&reference, &candidate);
            let e = &full.error_types;
            assert_eq!(
                quick.error_counts,
                ErrorCounts {
                    true_positives: e.true_positives.edges.len(),
                    false_positives: e.false_positives.edges.len(),
                    false_negatives: e.false_negatives.edges.len(),
                    true_negatives: e.true_negatives.edges.len(),
                }
            );
            assert_eq!(quick.shd_cpdag, full.shd_cpdag);
            assert_eq!(quick.skeleton, full.skeleton);
        }
    }

    #[test]
    fn large_graphs_are_fast() {
        // 1,000 nodes, 100,000 arcs each (a DAG reference, a shifted candidate).
        let n = 1000i64;
        let nodes: Vec<i64> = (0..n).collect();
        let mut ref_arcs = Vec::new();
        let mut cand_arcs = Vec::new();
        let mut state = 7u64;
        while ref_arcs.len() < 100_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let a = ((state >> 33) % n as u64) as i64;
            let b = ((state >> 13) % n as u64) as i64;
            if a < b {
                ref_arcs.push((a, b));
                cand_arcs.push(if state.is_multiple_of(5) { (b, a) } else { (a, b) });
            }
        }
        let r = graph(&nodes, &ref_arcs);
        let c = graph(&nodes, &cand_arcs);
        let started = std::time::Instant::now();
        let cmp = compare(&r, &c);
        let elapsed = started.elapsed();
        let et = &cmp.error_types;
        let total = et.false_positives.edges.len()
            + et.true_negatives.edges.len()
            + et.false_negatives.edges.len()
            + et.true_positives.edges.len();
        assert_eq!(total, 1000 * 999);
        assert!(matches!(cmp.hamming_distance_pcdag, Hamming::Value(_)));
        // Generous bound for unoptimised test builds on a busy machine; release takes ~50 ms.
        assert!(elapsed.as_secs_f64() < 10.0, "compare took {elapsed:?}");
    }
}
