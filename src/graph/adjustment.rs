//! The adjustment formula of the intervention endpoint (api.md §9.3):
//! P(e = k | do(c ∈ C)) = Σ_g P(e = k | c ∈ C, F = g) · P(F = g), estimated from rows as
//! Σ over factor groups g with m_g > 0 of (k_g / m_g) · (n_g / N).
//!
//! [`adjusted_probabilities`] is the formula over pre-classified rows, usable by both branches;
//! [`continuous_intervention`] is the whole continuous branch (binning by auto20 included).

use std::collections::BTreeMap;

use super::categorical::{Condition, Scalar};
use super::histogram::{HistogramError, auto20_edges, bin_numbers};

/// What the last class gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remainder {
    /// 1 − the sum of the others, as MPCSL does in both branches (mass of groups without treated
    /// rows ends up there).
    LastClass,
    /// The formula like every other class: the fix §9.3 recommends for the categorical branch.
    Formula,
}

#[derive(Debug, Clone, Default)]
struct GroupStats {
    rows: u64,
    treated: u64,
    treated_per_class: Vec<u64>,
}

/// The probability of each effect class `0..classes` under the intervention.
///
/// Each row is (effect class, factor group, whether the cause satisfies the condition). Groups
/// are visited in ascending key order (pandas' sorted `groupby`), which fixes the summation
/// order. A row whose class is out of range counts towards its group's sizes only.
pub fn adjusted_probabilities<G: Ord>(
    classes: usize,
    rows: impl IntoIterator<Item = (usize, G, bool)>,
    remainder: Remainder,
) -> Vec<f64> {
    let mut groups: BTreeMap<G, GroupStats> = BTreeMap::new();
    let mut total = 0u64;
    for (class, group, treated) in rows {
        let stats = groups.entry(group).or_default();
        stats.rows += 1;
        total += 1;
        if treated {
            stats.treated += 1;
            if class < classes {
                stats.treated_per_class.resize(classes, 0);
                stats.treated_per_class[class] += 1;
            }
        }
    }
    let by_formula = match remainder {
        Remainder::LastClass => classes.saturating_sub(1),
        Remainder::Formula => classes,
    };
    let mut p = vec![0.0; classes];
    for (class, slot) in p.iter_mut().enumerate().take(by_formula) {
        *slot = groups
            .values()
            .filter(|g| g.treated > 0)
            .map(|g| {
                let k = g.treated_per_class.get(class).copied().unwrap_or(0);
                (k as f64 / g.treated as f64) * (g.rows as f64 / total as f64)
            })
            .sum();
    }
    if remainder == Remainder::LastClass
        && let Some(last) = classes.checked_sub(1)
    {
        p[last] = 1.0 - p[..last].iter().sum::<f64>();
    }
    p
}

/// The reported counts: `round(N · p)` with Python's round-half-to-even. They need not add up
/// to N.
pub fn expected_counts(probabilities: &[f64], rows: usize) -> Vec<i64> {
    probabilities.iter().map(|p| (rows as f64 * p).round_ties_even() as i64).collect()
}

/// The continuous-branch answer: counts per effect bin and the effect's auto20 edges.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuousIntervention {
    pub bins: Vec<i64>,
    pub bin_edges: Vec<f64>,
}

/// The continuous branch of §9.3. `cause`, `effect` and each factor column are the same rows
/// (rows past the shortest column are ignored). The effect and the factors are replaced by
/// their 1-based auto20 bin numbers; the cause stays raw and is tested with
/// [`Condition::matches`] (`from ≤ c < to` for a range).
pub fn continuous_intervention(
    cause: &[Scalar],
    effect: &[f64],
    factors: &[&[f64]],
    condition: &Condition,
) -> Result<ContinuousIntervention, HistogramError> {
    let rows = factors.iter().map(|f| f.len()).fold(cause.len().min(effect.len()), usize::min);
    let (cause, effect) = (&cause[..rows], &effect[..rows]);
    let bin_edges = auto20_edges(effect)?;
    let classes = bin_edges.len() - 1;
    let effect_bins = bin_numbers(effect, &bin_edges);
    let factor_bins = factors
        .iter()
        .map(|f| {
            let f = &f[..rows];
            auto20_edges(f).map(|edges| bin_numbers(f, &edges))
        })
        .collect::<Result<Vec<Vec<usize>>, _>>()?;
    let rows_iter = (0..rows).map(|r| {
        let group: Vec<usize> = factor_bins.iter().map(|bins| bins[r]).collect();
        (effect_bins[r].saturating_sub(1), group, condition.matches(&cause[r]))
    });
    let p = adjusted_probabilities(classes, rows_iter, Remainder::LastClass);
    Ok(ContinuousIntervention { bins: expected_counts(&p, rows), bin_edges })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_factors_is_the_conditional_distribution_of_treated_rows() {
        // One group. Treated rows: classes 0, 0, 1 → p0 = 2/3, p1 = 1/3 (remainder), p2 would
        // be 0 by formula but is the last class: with three classes, p2 = 1 − 2/3 − 1/3 = 0.
        let rows = [(0, (), true), (0, (), true), (1, (), true), (2, (), false)];
        let p = adjusted_probabilities(3, rows, Remainder::LastClass);
        assert!((p[0] - 2.0 / 3.0).abs() < 1e-15 && (p[1] - 1.0 / 3.0).abs() < 1e-15 && p[2].abs() < 1e-15);
        // N = 4: round(2.667) = 3, round(1.333) = 1, round(0) = 0.
        assert_eq!(expected_counts(&p, 4), vec![3, 1, 0]);
    }

    #[test]
    fn factor_groups_are_weighted_by_their_size() {
        // Group a (3 rows): treated rows with classes 0, 1 → k/m = 1/2 each, weight 3/5.
        // Group b (2 rows): one treated row, class 1 → k/m = 1 for class 1, weight 2/5.
        // p0 = 1/2 · 3/5 = 0.3; p1 = 1/2 · 3/5 + 1 · 2/5 = 0.7.
        let rows = [(0, 'a', true), (1, 'a', true), (0, 'a', false), (1, 'b', true), (0, 'b', false)];
        let p = adjusted_probabilities(2, rows, Remainder::Formula);
        assert!((p[0] - 0.3).abs() < 1e-15 && (p[1] - 0.7).abs() < 1e-15);
    }

    #[test]
    fn untreated_groups_feed_the_remainder_only() {
        // Group x has no treated row, so its 1/2 of the mass is dropped by the formula and ends
        // up in the last class with Remainder::LastClass (MPCSL), not with Remainder::Formula.
        let rows = [(0, 1, true), (1, 2, false)];
        assert_eq!(adjusted_probabilities(2, rows, Remainder::Formula), vec![0.5, 0.0]);
        assert_eq!(adjusted_probabilities(2, rows, Remainder::LastClass), vec![0.5, 0.5]);
        // A treatment that never occurs: everything in the last class (§9.3's "19" example).
        let never = [(0, (), false), (1, (), false), (1, (), false)];
        assert_eq!(expected_counts(&adjusted_probabilities(2, never, Remainder::LastClass), 3), vec![0, 3]);
    }

    #[test]
    fn rounding_is_half_to_even() {
        // 0.5 → 0 and 1.5 → 2, 2.5 → 2 as Python's round().
        assert_eq!(expected_counts(&[0.125, 0.375, 0.625], 4), vec![0, 2, 2]);
    }

    #[test]
    fn continuous_branch_end_to_end() {
        // Effect 0..=7 (8 values): Sturges width 7/(3+1) = 1.75; IQR = 5.25 − 1.75 = 3.5,
        // FD = 2 · 3.5 / 2 = 3.5 → width 1.75, 4 bins: edges 0, 1.75, 3.5, 5.25, 7.
        // Effect bin numbers: 0,1 → 1; 2,3 → 2; 4,5 → 3; 6,7 → 4.
        // Cause = effect as floats; condition 0 ≤ c < 4 treats rows 0–3 (bins 1, 1, 2, 2).
        // No factors: p1 = 2/4, p2 = 2/4, p3 = 0, p4 = remainder 0 → counts 4, 4, 0, 0.
        let effect: Vec<f64> = (0..8).map(f64::from).collect();
        let cause: Vec<Scalar> = effect.iter().map(|&v| Scalar::Float(v)).collect();
        let condition = Condition::Range { from: 0.0, to: 4.0 };
        let out = continuous_intervention(&cause, &effect, &[], &condition).expect("finite data");
        assert_eq!(out.bin_edges, vec![0.0, 1.75, 3.5, 5.25, 7.0]);
        assert_eq!(out.bins, vec![4, 4, 0, 0]);

        // With a factor equal to the effect, each factor bin holds one effect bin: the treated
        // groups (factor bins 1 and 2) each predict their own effect bin with weight 2/8; the
        // untreated groups' 4/8 goes to the last bin. Counts: 2, 2, 0, 4.
        let out = continuous_intervention(&cause, &effect, &[&effect], &condition).expect("finite data");
        assert_eq!(out.bins, vec![2, 2, 0, 4]);

        let text_cause = vec![Scalar::Text("a".into()); 8];
        let categorical = Condition::Values(vec![Scalar::Text("a".into())]);
        let out = continuous_intervention(&text_cause, &effect, &[], &categorical).expect("finite data");
        // Every row treated: the effect's own histogram (2 per bin).
        assert_eq!(out.bins, vec![2, 2, 2, 2]);

        assert_eq!(continuous_intervention(&[], &[], &[], &condition), Err(HistogramError::Empty));
    }
}
