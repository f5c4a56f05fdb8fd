//! Conditional-independence tests: Fisher-z on partial correlations (`gaussCI`) and the
//! G² / Pearson chi-square tests on contingency tables (`disCI`, `binCI`, `chisq`).
//!
//! Each test is a pure function of `(x, y, S)` and read-only precomputed data, so one value can
//! be shared by all worker threads; per-thread buffers live in [`Scratch`].

use std::collections::HashMap;

use anyhow::Result;

mod contingency;
mod fisher_z;

pub use contingency::Contingency;
pub use fisher_z::{FisherZ, fisher_z_outcome};

/// The independence tests this executor offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKind {
    /// Fisher-z test of the partial correlation (pcalg `gaussCItest`, causal-learn `fisherz`).
    GaussCi,
    /// G² test on discrete data with causal-learn's zero-cell degrees-of-freedom adjustment
    /// (causal-learn `gsq`; pcalg `disCItest` computes the same statistic).
    DisCi,
    /// G² test on binary data with `df = 2^|S|` (pcalg `binCItest`).
    BinCi,
    /// Pearson chi-square on discrete data (causal-learn `chisq`); not in the MPCSL catalogue,
    /// offered for cross-checks against causal-learn's reference figures.
    ChiSq,
}

impl TestKind {
    /// Accepts the MPCSL names and causal-learn's names.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "gaussCI" | "fisherz" => Some(Self::GaussCi),
            "disCI" | "gsq" => Some(Self::DisCi),
            "binCI" => Some(Self::BinCi),
            "chisq" => Some(Self::ChiSq),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::GaussCi => "gaussCI",
            Self::DisCi => "disCI",
            Self::BinCi => "binCI",
            Self::ChiSq => "chisq",
        }
    }
}

/// Result of one test. `effect` is the strength of the association that remained: |partial
/// correlation| for Fisher-z, `G²/(2n)` (the plug-in conditional mutual information in nats)
/// for the G² tests, `χ²/n` for Pearson's test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub p_value: f64,
    pub effect: f64,
}

/// Per-thread working memory, reused across tests to avoid allocation in the hot loop.
#[derive(Debug, Default)]
pub struct Scratch {
    ids: Vec<u32>,
    counts: Vec<u32>,
    nx: Vec<u32>,
    ny: Vec<u32>,
    remap: Vec<u32>,
    map: HashMap<u64, u32>,
    triples: Vec<(u32, u32, u32)>,
    pairs: Vec<(u32, u32)>,
    sets: Vec<u64>,
    sets_next: Vec<u64>,
    rows: Vec<u64>,
    mat: Vec<f64>,
    work: Vec<f64>,
}

/// A ready-to-run independence test over one dataset.
#[derive(Debug)]
pub enum CiTest {
    Gauss(FisherZ),
    Discrete(Contingency),
}

impl CiTest {
    /// Precomputes what the test needs (correlation matrix or category codes). `threads` is
    /// used for the correlation matrix only.
    pub fn new(kind: TestKind, columns: &[Vec<f64>], threads: usize) -> Result<Self> {
        Ok(match kind {
            TestKind::GaussCi => Self::Gauss(FisherZ::new(columns, threads)),
            TestKind::DisCi => Self::Discrete(Contingency::new(contingency::Statistic::G2, columns)?),
            TestKind::BinCi => Self::Discrete(Contingency::new(contingency::Statistic::G2Binary, columns)?),
            TestKind::ChiSq => {
                Self::Discrete(Contingency::new(contingency::Statistic::PearsonChi2, columns)?)
            }
        })
    }

    pub fn n_vars(&self) -> usize {
        match self {
            Self::Gauss(t) => t.n_vars(),
            Self::Discrete(t) => t.n_vars(),
        }
    }

    pub fn n_rows(&self) -> usize {
        match self {
            Self::Gauss(t) => t.n_rows(),
            Self::Discrete(t) => t.n_rows(),
        }
    }

    /// Tests `x ⫫ y | s`. Symmetric in `x` and `y`; `s` must not contain either.
    pub fn test(&self, x: usize, y: usize, s: &[usize], scratch: &mut Scratch) -> Outcome {
        match self {
            Self::Gauss(t) => t.test(x, y, s, scratch),
            Self::Discrete(t) => t.test(x, y, s, scratch),
        }
    }
}
