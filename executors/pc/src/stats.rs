//! Special functions behind the p-values: log-gamma, the regularised incomplete gamma
//! function, the normal CDF and the chi-square survival function.
//!
//! Implemented here (instead of pulling in a statistics crate) because PC needs only these four,
//! and they must be accurate to ~1e-14 so that decisions at `p ≈ alpha` agree with SciPy.

use std::f64::consts::PI;

const EPS: f64 = 1e-16;
const TINY: f64 = 1e-300;
const MAX_ITER: usize = 100_000;

/// Lanczos coefficients (g = 7, n = 9); relative error below 1e-15 for positive arguments.
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// Natural logarithm of the gamma function for `x > 0`.
pub fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        // Reflection keeps the Lanczos sum in its accurate range.
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let mut a = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// `exp(-x + a ln x - ln Γ(a))`, the common prefactor of both gamma expansions.
fn gamma_prefactor(a: f64, x: f64) -> f64 {
    (-x + a * x.ln() - ln_gamma(a)).exp()
}

/// Series for P(a, x); converges quickly for `x < a + 1`.
fn gamma_p_series(a: f64, x: f64) -> f64 {
    let mut ap = a;
    let mut del = 1.0 / a;
    let mut sum = del;
    for _ in 0..MAX_ITER {
        ap += 1.0;
        del *= x / ap;
        sum += del;
        if del.abs() < sum.abs() * EPS {
            break;
        }
    }
    sum * gamma_prefactor(a, x)
}

/// Continued fraction (modified Lentz) for Q(a, x); converges quickly for `x ≥ a + 1`.
fn gamma_q_fraction(a: f64, x: f64) -> f64 {
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..MAX_ITER {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    gamma_prefactor(a, x) * h
}

/// Regularised lower incomplete gamma function P(a, x).
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x < a + 1.0 {
        gamma_p_series(a, x)
    } else {
        1.0 - gamma_q_fraction(a, x)
    }
}

/// Regularised upper incomplete gamma function Q(a, x) = 1 - P(a, x), computed directly in the
/// tail so that small p-values keep their relative precision.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        1.0
    } else if x < a + 1.0 {
        1.0 - gamma_p_series(a, x)
    } else {
        gamma_q_fraction(a, x)
    }
}

/// Chi-square survival function `P(X > x)` for `df` degrees of freedom (SciPy's `chi2.sf`).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    gamma_q(0.5 * df, 0.5 * x).clamp(0.0, 1.0)
}

/// Complementary error function, through `erfc(x) = Q(1/2, x²)` for `x ≥ 0`.
pub fn erfc(x: f64) -> f64 {
    if x >= 0.0 { gamma_q(0.5, x * x) } else { 2.0 - gamma_q(0.5, x * x) }
}

/// Standard normal CDF Φ(x).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Two-sided normal p-value `2 (1 - Φ(|z|))`, computed as `erfc(|z|/√2)` to avoid cancellation.
pub fn normal_two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_known_values() {
        assert!(ln_gamma(1.0).abs() < 1e-14);
        assert!((ln_gamma(0.5) - PI.sqrt().ln()).abs() < 1e-14);
        assert!((ln_gamma(10.0) - 362_880.0_f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(100.5) - 361.435_540_467_777_6).abs() < 1e-10);
    }

    #[test]
    fn normal_cdf_matches_scipy() {
        // scipy.stats.norm.cdf / sf
        assert!(close(normal_cdf(1.96), 0.975_002_104_851_779_5, 1e-14));
        assert!(close(normal_cdf(-3.0), 0.001_349_898_031_630_093_3, 1e-12));
        assert!(close(normal_cdf(0.0), 0.5, 1e-15));
        assert!(close(normal_two_sided_p(-8.0) / 2.0, 6.220_960_574_271_74e-16, 1e-10));
        assert!(close(normal_two_sided_p(1.959_963_984_540_054), 0.05, 1e-12));
    }

    #[test]
    fn chi2_sf_matches_scipy() {
        // scipy.stats.chi2.sf
        assert!(close(chi2_sf(3.841_458_820_694_124, 1.0), 0.049_999_999_999_999_89, 1e-12));
        assert!(close(chi2_sf(10.0, 5.0), 0.075_235_246_146_512_17, 1e-12));
        assert!(close(chi2_sf(0.5, 3.0), 0.918_891_411_654_675_8, 1e-12));
        assert!(close(chi2_sf(200.0, 150.0), 0.003_973_185_970_821_635, 1e-10));
        assert!(close(chi2_sf(25.0, 2.0), 3.726_653_172_078_671_8e-6, 1e-12));
        assert_eq!(chi2_sf(1e-3, 40.0), 1.0);
        assert_eq!(chi2_sf(0.0, 3.0), 1.0);
    }

    #[test]
    fn gamma_p_and_q_are_complementary() {
        for &(a, x) in &[(0.5, 0.1), (2.0, 3.0), (7.5, 7.0), (30.0, 45.0)] {
            assert!((gamma_p(a, x) + gamma_q(a, x) - 1.0).abs() < 1e-13);
        }
    }
}
