//! The "auto20" histogram of api.md §9 and the binning helpers of the distribution endpoints.
//!
//! auto20 is numpy's `bins='auto'` rule as it was before numpy 2.1 added a square-root
//! correction: width = min(Freedman–Diaconis, Sturges) when FD > 0, else Sturges; at most 20
//! equal-width bins over [min, max], all half-open except the last. The arithmetic follows numpy
//! step by step (percentile interpolation, `linspace`, the index computation of the uniform-bin
//! fast path) so that edges and counts match MPCSL's bit for bit.

use std::fmt;

/// At most this many bins (§9).
pub const MAX_BINS: usize = 20;

/// Counts per bin and the k+1 bin edges.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub counts: Vec<u64>,
    pub edges: Vec<f64>,
}

/// Why no histogram can be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistogramError {
    /// No values (§9 defines the rule for non-empty lists only).
    Empty,
    /// A NaN or infinite value: numpy refuses ("autodetected range … is not finite").
    NonFinite,
}

impl fmt::Display for HistogramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistogramError::Empty => f.write_str("cannot build a histogram of no values"),
            HistogramError::NonFinite => {
                f.write_str("cannot build a histogram of values that are not finite")
            }
        }
    }
}

impl std::error::Error for HistogramError {}

/// The auto20 histogram of `values`.
pub fn auto20(values: &[f64]) -> Result<Histogram, HistogramError> {
    let edges = auto20_edges(values)?;
    let counts = uniform_counts(values, &edges);
    Ok(Histogram { counts, edges })
}

/// The auto20 bin edges of `values` (k+1 of them, k = bin count).
///
/// When all values are equal the single bin is [v − 0.5, v + 0.5], as numpy makes it, rather
/// than a zero-width bin.
pub fn auto20_edges(values: &[f64]) -> Result<Vec<f64>, HistogramError> {
    if values.is_empty() {
        return Err(HistogramError::Empty);
    }
    if values.iter().any(|v| !v.is_finite()) {
        return Err(HistogramError::NonFinite);
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let summary = Summary {
        count: sorted.len(),
        min: sorted[0],
        max: sorted[sorted.len() - 1],
        p25: percentile_sorted(&sorted, 25.0),
        p75: percentile_sorted(&sorted, 75.0),
    };
    Ok(auto20_edges_from_summary(&summary))
}

/// What the auto20 rule needs to know of a column; a database can compute it without sending
/// the values (`percentile_cont` interpolates linearly, as numpy does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub count: usize,
    pub min: f64,
    pub max: f64,
    pub p25: f64,
    pub p75: f64,
}

/// The auto20 bin edges from a column's summary (non-empty, finite values).
pub fn auto20_edges_from_summary(summary: &Summary) -> Vec<f64> {
    let Summary { count, min, max, p25, p75 } = *summary;
    if min == max {
        return vec![min - 0.5, max + 0.5];
    }
    let n = count as f64;
    let range = max - min;
    let sturges = range / (n.log2() + 1.0);
    let fd = 2.0 * (p75 - p25) * n.powf(-1.0 / 3.0);
    let width = if fd > 0.0 { fd.min(sturges) } else { sturges };
    let bins = if width > 0.0 { ((range / width).ceil() as usize).clamp(1, MAX_BINS) } else { 1 };
    linspace(min, max, bins + 1)
}

/// numpy's `linspace(start, stop, num)` with the endpoint: `i · step + start`, last = `stop`.
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let step = (stop - start) / (num - 1) as f64;
    let mut edges: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    if let Some(last) = edges.last_mut() {
        *last = stop;
    }
    edges
}

/// numpy's `percentile(x, q)` with the default linear interpolation, for ascending `sorted`
/// (non-empty): the value at virtual index (n−1)·q/100, interpolated as numpy's `_lerp` does.
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    let last = sorted.len().saturating_sub(1);
    let virtual_index = (q / 100.0) * last as f64;
    let below = (virtual_index.floor().max(0.0) as usize).min(last);
    let above = (below + 1).min(last);
    let t = virtual_index - below as f64;
    let (a, b) = (sorted[below], sorted[above]);
    let diff = b - a;
    // numpy interpolates from the nearer end for accuracy.
    if t >= 0.5 { b - diff * (1.0 - t) } else { a + diff * t }
}

/// Counts of `values` in the equal-width bins `edges` (from [`auto20_edges`]), with numpy's
/// uniform-bin index computation and its corrections at the edges. Values outside the edges are
/// ignored; the last bin includes its right edge.
fn uniform_counts(values: &[f64], edges: &[f64]) -> Vec<u64> {
    let bins = edges.len() - 1;
    let (first, last) = (edges[0], edges[bins]);
    let mut counts = vec![0u64; bins];
    for &v in values {
        if !(v >= first && v <= last) {
            continue;
        }
        let mut i = (((v - first) / (last - first)) * bins as f64) as usize;
        if i == bins {
            i -= 1;
        }
        if v < edges[i] {
            i -= 1;
        } else if v >= edges[i + 1] && i != bins - 1 {
            i += 1;
        }
        counts[i] += 1;
    }
    counts
}

/// numpy's `histogram(values, bins=edges)` for explicit, ascending edges (§9.2: conditioned
/// values counted over the unconditioned edges). Bins are half-open except the last, which is
/// closed; values outside [first, last] (and NaN) are not counted.
pub fn counts_over_edges(values: &[f64], edges: &[f64]) -> Vec<u64> {
    let Some(bins) = edges.len().checked_sub(1).filter(|&b| b > 0) else { return Vec::new() };
    let last = edges[bins];
    let mut counts = vec![0u64; bins];
    for &v in values {
        if !(v >= edges[0] && v <= last) {
            continue;
        }
        // Number of edges ≤ v, minus one; the right edge of the last bin belongs to it.
        let i = edges.partition_point(|&e| e <= v).saturating_sub(1).min(bins - 1);
        counts[i] += 1;
    }
    counts
}

/// The 1-based bin number of each value for the intervention computation (§9.3): the number of
/// edges ≤ value among all edges but the last (numpy's `digitize(values, edges[:-1])`). Values at
/// the maximum land in the last bin; values below the first edge get 0.
pub fn bin_numbers(values: &[f64], edges: &[f64]) -> Vec<usize> {
    let inner = &edges[..edges.len().saturating_sub(1)];
    values.iter().map(|&v| inner.partition_point(|&e| e <= v)).collect()
}

/// The most populated bin's (left edge, right edge), the first one on ties (§9.2 `auto`).
pub fn most_populated_bin(histogram: &Histogram) -> Option<(f64, f64)> {
    let mut best: Option<(usize, u64)> = None;
    for (i, &count) in histogram.counts.iter().enumerate() {
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((i, count));
        }
    }
    let (i, _) = best?;
    Some((*histogram.edges.get(i)?, *histogram.edges.get(i + 1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_by_hand() {
        // x = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 10]: n = 11, min 1, max 10, range 9.
        // Sturges: 9 / (log2(11) + 1) = 9 / 4.4594 = 2.0182.
        // Percentiles (virtual index 0.25·10 = 2.5 → between x[2]=2 and x[3]=3 → 2.5;
        // 0.75·10 = 7.5 → between x[7]=4 and x[8]=4 → 4): IQR = 1.5.
        // FD: 2 · 1.5 · 11^(−1/3) = 3 / 2.2240 = 1.3489 < Sturges, so width = 1.3489 and
        // bins = ceil(9 / 1.3489) = ceil(6.672) = 7; edges step 9/7.
        // Edges 1, 2.2857, 3.5714, 4.8571, 6.1429, 7.4286, 8.7143, 10:
        // bin 0 [1, 2.29): 1, 2, 2 → 3; bin 1 [2.29, 3.57): 3, 3, 3 → 3; bin 2: 4×4 → 4;
        // bins 3–5 empty; bin 6 [8.71, 10]: 10 → 1.
        let x = [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 4.0, 10.0];
        let h = auto20(&x).expect("histogram");
        assert_eq!(h.counts, vec![3, 3, 4, 0, 0, 0, 1]);
        assert_eq!(h.edges.len(), 8);
        assert_eq!((h.edges[0], h.edges[7]), (1.0, 10.0));
        assert!((h.edges[1] - (1.0 + 9.0 / 7.0)).abs() < 1e-12);
    }

    #[test]
    fn matches_numpy() {
        // Expected values computed with numpy 2.4 using the pre-2.1 'auto' rule of §9:
        //   fd = 2*iqr*n**(-1/3); st = ptp/(log2(n)+1); w = min(fd, st) if fd > 0 else st
        //   k = min(20, ceil(ptp / w)); counts, edges = np.histogram(x, bins=k)
        // with edges printed by repr(), so the comparison is exact.
        let x = [0.3, -1.2, 2.5, 0.0, 0.7, 1.1, -0.4, 3.9, 0.2, 0.05, -2.2, 1.6, 0.9, 0.45];
        let h = auto20(&x).expect("histogram");
        assert_eq!(h.counts, vec![1, 1, 3, 4, 3, 0, 1, 1]);
        let expected_edges = [
            -2.2,
            -1.4375000000000002,
            -0.6750000000000003,
            0.08749999999999947,
            0.8499999999999996,
            1.6124999999999998,
            2.374999999999999,
            3.1374999999999993,
            3.9,
        ];
        assert_eq!(h.edges, expected_edges);

        // x = [(i*7919 % 20011)/20011 for i in range(20000)]: the raw rule asks for 28 bins,
        // auto20 caps them at 20.
        let wide: Vec<f64> = (0..20_000).map(|i| f64::from(i * 7919 % 20011) / 20011.0).collect();
        let h = auto20(&wide).expect("histogram");
        assert_eq!(
            h.counts,
            vec![
                999, 1000, 1001, 1000, 999, 1000, 1001, 1000, 999, 1000, 1001, 1000, 998, 1000, 1001, 1000,
                999, 1000, 1001, 1001
            ]
        );
        assert_eq!(h.edges.len(), MAX_BINS + 1);
        assert_eq!(h.edges[1], 0.04999750137424416);
        assert_eq!(h.edges[13], 0.6499675178651741);
        assert_eq!(h.edges[20], 0.9999500274848833);
    }

    #[test]
    fn zero_iqr_falls_back_to_sturges_and_constant_data_gets_one_bin() {
        // IQR 0 (most values equal): FD is 0, so Sturges: 4 / (log2(8) + 1) = 1 → 4 bins.
        let x = [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 9.0];
        let h = auto20(&x).expect("histogram");
        assert_eq!(h.edges, vec![5.0, 6.0, 7.0, 8.0, 9.0]);
        assert_eq!(h.counts, vec![7, 0, 0, 1]);
        // All equal: one bin [v − 0.5, v + 0.5] as numpy.
        let h = auto20(&[2.0, 2.0]).expect("histogram");
        assert_eq!((h.counts, h.edges), (vec![2], vec![1.5, 2.5]));
        assert_eq!(auto20(&[]), Err(HistogramError::Empty));
        assert_eq!(auto20(&[1.0, f64::NAN]), Err(HistogramError::NonFinite));
    }

    #[test]
    fn percentiles_interpolate_linearly() {
        // §1.11's example: [2, 3] → 25 % = 2.25, 75 % = 2.75.
        assert_eq!(percentile_sorted(&[2.0, 3.0], 25.0), 2.25);
        assert_eq!(percentile_sorted(&[2.0, 3.0], 75.0), 2.75);
        assert_eq!(percentile_sorted(&[7.0], 50.0), 7.0);
        assert_eq!(percentile_sorted(&[1.0, 2.0, 3.0, 4.0], 100.0), 4.0);
    }

    #[test]
    fn counting_over_given_edges() {
        // Edges 0, 1, 2, 3: [0,1) [1,2) [2,3]. 3 is in the last bin; −1 and 3.5 are outside.
        let edges = [0.0, 1.0, 2.0, 3.0];
        assert_eq!(counts_over_edges(&[-1.0, 0.0, 0.5, 1.0, 2.9, 3.0, 3.5, f64::NAN], &edges), vec![2, 1, 2]);
        assert_eq!(counts_over_edges(&[], &edges), vec![0, 0, 0]);
        assert!(counts_over_edges(&[1.0], &[1.0]).is_empty());
    }

    #[test]
    fn bin_numbers_are_one_based_and_the_maximum_lands_in_the_last_bin() {
        // digitize(x, [0, 1, 2]) for edges [0, 1, 2, 3].
        let edges = [0.0, 1.0, 2.0, 3.0];
        assert_eq!(bin_numbers(&[0.0, 0.99, 1.0, 2.5, 3.0, -0.1], &edges), vec![1, 1, 2, 3, 3, 0]);
    }

    #[test]
    fn most_populated_bin_prefers_the_first_on_ties() {
        let h = Histogram { counts: vec![1, 4, 4], edges: vec![0.0, 1.0, 2.0, 3.0] };
        assert_eq!(most_populated_bin(&h), Some((1.0, 2.0)));
        assert_eq!(most_populated_bin(&Histogram { counts: vec![], edges: vec![0.0] }), None);
    }
}
