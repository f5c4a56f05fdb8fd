//! PC-stable end to end: skeleton, then orientation to a CPDAG.

use std::time::Instant;

use crate::ci::CiTest;
use crate::cpdag::{Cpdag, orient_skeleton};
use crate::skeleton::{LevelStats, Skeleton, SkeletonConfig, discover};

#[derive(Debug, Clone)]
pub struct PcOutput {
    pub skeleton: Skeleton,
    pub cpdag: Cpdag,
    pub skeleton_seconds: f64,
    pub orientation_seconds: f64,
}

/// Runs PC-stable on a prepared test (causal-learn `pc(stable=True, uc_rule=0, uc_priority=2)`).
pub fn run_pc(test: &CiTest, cfg: &SkeletonConfig, on_level: impl FnMut(&LevelStats)) -> PcOutput {
    let started = Instant::now();
    let skeleton = discover(test, cfg, on_level);
    let skeleton_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let cpdag = orient_skeleton(skeleton.n_vars(), skeleton.adjacency(), |x, z, y| {
        skeleton.sepset(x, z).is_some_and(|s| s.nodes.contains(&y))
    });
    PcOutput { skeleton, cpdag, skeleton_seconds, orientation_seconds: started.elapsed().as_secs_f64() }
}

impl PcOutput {
    /// The result in the shape `compare_causal_learn.py` prints (variables by index), for
    /// cross-checks: `n_vars`, `n_tests`, `skeleton` `[[i, j]]` (`i < j`), `sepsets`
    /// `[[i, j, [k…]]]` for every removed pair, `cpdag` `[[from, to]]` (undirected both ways).
    pub fn comparison_json(&self) -> serde_json::Value {
        let sk = &self.skeleton;
        let skeleton: Vec<[usize; 2]> = sk.edges().into_iter().map(|(a, b)| [a, b]).collect();
        let sepsets: Vec<serde_json::Value> =
            sk.sepsets.iter().map(|(&(a, b), s)| serde_json::json!([a, b, s.nodes])).collect();
        let cpdag: Vec<[usize; 2]> = self.cpdag.edge_list().into_iter().map(|(a, b)| [a, b]).collect();
        serde_json::json!({
            "n_vars": sk.n_vars(),
            "n_tests": sk.n_tests,
            "seconds": self.skeleton_seconds + self.orientation_seconds,
            "skeleton": skeleton,
            "sepsets": sepsets,
            "cpdag": cpdag,
        })
    }
}
