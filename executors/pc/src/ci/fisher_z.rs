//! Fisher-z test of partial correlations (`gaussCI`; causal-learn `fisherz`).

use super::{Outcome, Scratch};
use crate::stats::normal_two_sided_p;

/// Fisher-z test on the sample correlation matrix.
#[derive(Debug)]
pub struct FisherZ {
    p: usize,
    n: usize,
    corr: Vec<f64>,
}

impl FisherZ {
    pub fn new(columns: &[Vec<f64>], threads: usize) -> Self {
        let n = columns.first().map_or(0, Vec::len);
        Self { p: columns.len(), n, corr: correlation_matrix(columns, threads) }
    }

    pub fn n_vars(&self) -> usize {
        self.p
    }

    pub fn n_rows(&self) -> usize {
        self.n
    }

    /// The Pearson correlation matrix (row-major `p × p`).
    pub fn correlation(&self) -> &[f64] {
        &self.corr
    }

    pub(super) fn test(&self, x: usize, y: usize, s: &[usize], scratch: &mut Scratch) -> Outcome {
        let r = self.partial_correlation(x, y, s, scratch);
        fisher_z_outcome(r, self.n, s.len())
    }

    /// Partial correlation of `x` and `y` given `s`: `-P01 / sqrt(P00 P11)` with `P` the inverse
    /// of the correlation submatrix over `(x, y, s…)`, as causal-learn computes it.
    pub fn partial_correlation(&self, x: usize, y: usize, s: &[usize], scratch: &mut Scratch) -> f64 {
        let p = self.p;
        match s.len() {
            0 => self.corr[x * p + y],
            _ => {
                let vars: Vec<usize> = [x, y].iter().chain(s).copied().collect();
                let m = vars.len();
                scratch.mat.clear();
                for &a in &vars {
                    scratch.mat.extend(vars.iter().map(|&b| self.corr[a * p + b]));
                }
                let (p00, p01, p11) = inverse_corner(&mut scratch.mat, m, &mut scratch.work);
                -p01 / (p00 * p11).abs().sqrt()
            }
        }
    }
}

/// Fisher's z-transform test of a (partial) correlation `r` estimated from `n` rows with a
/// conditioning set of size `k`: `z = sqrt(n-k-3) · atanh(r)`, `p = 2 (1 - Φ(|z|))`.
///
/// Degenerate cases follow pcalg's `zStat`: an undefined correlation (constant column) or
/// `n-k-3 ≤ 0` give `z = 0`, i.e. `p = 1`.
pub fn fisher_z_outcome(r: f64, n: usize, k: usize) -> Outcome {
    let dof = n as f64 - k as f64 - 3.0;
    if r.is_nan() || dof <= 0.0 {
        return Outcome { p_value: 1.0, effect: if r.is_nan() { 0.0 } else { r.abs() } };
    }
    // Same clamp as causal-learn, for |r| = 1 from deterministic relations.
    let r = if r.abs() >= 1.0 { (1.0 - f64::EPSILON) * r.signum() } else { r };
    let z = dof.sqrt() * 0.5 * ((1.0 + r) / (1.0 - r)).ln();
    Outcome { p_value: normal_two_sided_p(z), effect: r.abs() }
}

/// Pearson correlation matrix of the columns (like `np.corrcoef`), rows split across threads.
fn correlation_matrix(columns: &[Vec<f64>], threads: usize) -> Vec<f64> {
    let p = columns.len();
    // Centred and scaled to unit norm, so each correlation is one dot product.
    let unit: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| {
            let mean = c.iter().sum::<f64>() / c.len().max(1) as f64;
            let centred: Vec<f64> = c.iter().map(|v| v - mean).collect();
            let norm = dot(&centred, &centred).sqrt();
            // A constant column has no correlation (NaN, as in numpy).
            centred.iter().map(|v| v / norm).collect()
        })
        .collect();
    // Upper triangle of row i (entries j ≥ i).
    let row = |i: usize| -> Vec<f64> {
        (i..p)
            .map(|j| {
                if i == j && !unit[i].iter().any(|v| v.is_nan()) {
                    1.0
                } else {
                    dot(&unit[i], &unit[j]).clamp(-1.0, 1.0)
                }
            })
            .collect()
    };
    let threads = threads.clamp(1, p.max(1));
    let mut upper: Vec<Vec<f64>> = vec![Vec::new(); p];
    if threads == 1 {
        upper.iter_mut().enumerate().for_each(|(i, r)| *r = row(i));
    } else {
        std::thread::scope(|scope| {
            // Strided rows balance the shrinking triangle rows across threads.
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let row = &row;
                    scope.spawn(move || (t..p).step_by(threads).map(|i| (i, row(i))).collect::<Vec<_>>())
                })
                .collect();
            for h in handles {
                for (i, r) in h.join().expect("correlation worker panicked") {
                    upper[i] = r;
                }
            }
        });
    }
    let mut corr = vec![0.0; p * p];
    for (i, r) in upper.iter().enumerate() {
        for (k, &v) in r.iter().enumerate() {
            corr[i * p + i + k] = v;
            corr[(i + k) * p + i] = v;
        }
    }
    corr
}

/// Dot product with eight independent accumulators, so the compiler can vectorise it (a single
/// running sum is bound by the latency of each addition).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// Entries (0,0), (0,1), (1,1) of the inverse of the symmetric `m × m` matrix `a` (row-major,
/// overwritten). Uses a Cholesky factorisation; a singular or indefinite matrix falls back to
/// the Moore–Penrose pseudo-inverse (as pcalg's `pcorOrder` does) instead of failing.
fn inverse_corner(a: &mut [f64], m: usize, work: &mut Vec<f64>) -> (f64, f64, f64) {
    let original = a.to_vec();
    if cholesky_in_place(a, m) {
        // Columns 0 and 1 of A⁻¹ by forward/back substitution with L Lᵀ.
        work.clear();
        work.resize(2 * m, 0.0);
        for (col, e) in [0usize, 1].into_iter().enumerate() {
            let v = &mut work[col * m..(col + 1) * m];
            // L z = e
            for i in 0..m {
                let mut sum = if i == e { 1.0 } else { 0.0 };
                for k in 0..i {
                    sum -= a[i * m + k] * v[k];
                }
                v[i] = sum / a[i * m + i];
            }
            // Lᵀ x = z
            for i in (0..m).rev() {
                let mut sum = v[i];
                for k in i + 1..m {
                    sum -= a[k * m + i] * v[k];
                }
                v[i] = sum / a[i * m + i];
            }
        }
        (work[0], work[1], work[m + 1])
    } else {
        pinv_corner(&original, m)
    }
}

/// Lower Cholesky factor in place; false if the matrix is not (numerically) positive definite.
fn cholesky_in_place(a: &mut [f64], m: usize) -> bool {
    for j in 0..m {
        let mut d = a[j * m + j];
        for k in 0..j {
            d -= a[j * m + k] * a[j * m + k];
        }
        if d <= 1e-13 {
            return false;
        }
        let d = d.sqrt();
        a[j * m + j] = d;
        for i in j + 1..m {
            let mut s = a[i * m + j];
            for k in 0..j {
                s -= a[i * m + k] * a[j * m + k];
            }
            a[i * m + j] = s / d;
        }
    }
    true
}

/// Corner of the pseudo-inverse via a cyclic Jacobi eigen-decomposition.
fn pinv_corner(a: &[f64], m: usize) -> (f64, f64, f64) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; m * m];
    for i in 0..m {
        v[i * m + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..m)
            .flat_map(|i| (0..m).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * m + j].powi(2))
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..m {
            for q in p + 1..m {
                let apq = a[p * m + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * m + q] - a[p * m + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..m {
                    let akp = a[k * m + p];
                    let akq = a[k * m + q];
                    a[k * m + p] = c * akp - s * akq;
                    a[k * m + q] = s * akp + c * akq;
                }
                for k in 0..m {
                    let apk = a[p * m + k];
                    let aqk = a[q * m + k];
                    a[p * m + k] = c * apk - s * aqk;
                    a[q * m + k] = s * apk + c * aqk;
                }
                for k in 0..m {
                    let vkp = v[k * m + p];
                    let vkq = v[k * m + q];
                    v[k * m + p] = c * vkp - s * vkq;
                    v[k * m + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let eig: Vec<f64> = (0..m).map(|i| a[i * m + i]).collect();
    let max = eig.iter().fold(0.0_f64, |acc, e| acc.max(e.abs()));
    let tol = m as f64 * max * f64::EPSILON;
    let (mut p00, mut p01, mut p11) = (0.0, 0.0, 0.0);
    for (k, &e) in eig.iter().enumerate() {
        if e.abs() > tol {
            p00 += v[k] * v[k] / e;
            p01 += v[k] * v[m + k] / e;
            p11 += v[m + k] * v[m + k] / e;
        }
    }
    (p00, p01, p11)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    #[test]
    fn fisher_z_on_a_known_partial_correlation() {
        // r = 0.3, n = 103, |S| = 0 → z = 10 · atanh(0.3) = 3.0951..., p = 0.0019668...
        let o = fisher_z_outcome(0.3, 103, 0);
        let z = 10.0 * 0.3_f64.atanh();
        assert!((z - 3.095_196_042_031_118).abs() < 1e-12);
        assert!((o.p_value - 0.001_966_828_505_979_921).abs() < 1e-12, "{}", o.p_value);
        assert_eq!(o.effect, 0.3);
        // Degenerate inputs give p = 1 (pcalg zStat).
        assert_eq!(fisher_z_outcome(f64::NAN, 100, 0).p_value, 1.0);
        assert_eq!(fisher_z_outcome(0.9, 5, 2).p_value, 1.0);
    }

    #[test]
    fn partial_correlation_matches_closed_form() {
        // Correlation matrix of (x, y, z) with r_xy = 0.5, r_xz = 0.6, r_yz = 0.7:
        // r_xy.z = (0.5 - 0.42) / sqrt((1 - 0.36)(1 - 0.49)).
        let t = FisherZ { p: 3, n: 100, corr: vec![1.0, 0.5, 0.6, 0.5, 1.0, 0.7, 0.6, 0.7, 1.0] };
        let mut scr = Scratch::default();
        let expected = 0.08 / (0.64_f64 * 0.51).sqrt();
        assert!((t.partial_correlation(0, 1, &[2], &mut scr) - expected).abs() < 1e-14);
        assert!((t.partial_correlation(1, 0, &[2], &mut scr) - expected).abs() < 1e-14);
    }

    #[test]
    fn singular_submatrix_uses_pseudo_inverse() {
        // z duplicates x: the 3x3 matrix is singular; the pseudo-inverse still gives a value.
        let t = FisherZ { p: 3, n: 100, corr: vec![1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 1.0] };
        let r = t.partial_correlation(0, 1, &[2], &mut Scratch::default());
        assert!(r.is_finite() && r.abs() <= 1.0, "{r}");
    }

    #[test]
    fn correlation_matrix_threads_agree() {
        let mut rng = SplitMix64::new(3);
        let cols: Vec<Vec<f64>> = (0..5).map(|_| (0..200).map(|_| rng.normal()).collect()).collect();
        assert_eq!(correlation_matrix(&cols, 1), correlation_matrix(&cols, 3));
    }
}
