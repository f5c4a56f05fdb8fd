//! The body of `POST /api/job/<id>/result` (executor contract §3).
//!
//! * `edge_list`: the CPDAG, directed edges once and undirected edges in both directions.
//!   `weight` is the effect size of the edge's weakest surviving test, i.e. of the test with the
//!   largest p-value among all tests the edge survived: |partial correlation| for `gaussCI`,
//!   `G²/(2n)` (conditional mutual information in nats) for `disCI`/`binCI`, `χ²/n` for `chisq`.
//! * `sepset_list` (only with `--send_sepsets 1`): like the pcalg executors, one entry per ordered
//!   pair with a non-empty separating set; `level` is the conditioning-set size of the level that
//!   removed the edge, `statistic` the (largest) p-value of the separating test(s), as the
//!   Python executor reports p-values.
//! * `meta_results`: the parsed options plus run figures, all top-level scalars (§3.1 quirk).

use serde_json::{Value, json};

use crate::args::Options;
use crate::ci::TestKind;
use crate::pc::PcOutput;

/// Figures of one run that are not in the PC output itself.
pub struct RunFacts {
    pub n_rows: usize,
    pub dropped_rows: usize,
    pub execution_time: f64,
    pub dataset_loading_time: f64,
}

pub fn result_body(options: &Options, node_ids: &[i64], pc: &PcOutput, facts: &RunFacts) -> Value {
    let sk = &pc.skeleton;
    let edge_list: Vec<Value> = pc
        .cpdag
        .edge_list()
        .into_iter()
        .map(|(a, b)| {
            let weight = sk.strength.get(&(a.min(b), a.max(b))).map_or(0.0, |o| o.effect);
            json!({ "from_node": node_ids[a], "to_node": node_ids[b], "weight": weight })
        })
        .collect();

    let mut sepset_list = Vec::new();
    if options.send_sepsets {
        for (&(x, y), sep) in &sk.sepsets {
            if sep.nodes.is_empty() {
                continue;
            }
            let nodes: Vec<i64> = sep.nodes.iter().map(|&v| node_ids[v]).collect();
            for (from, to) in [(x, y), (y, x)] {
                sepset_list.push(json!({
                    "from_node": node_ids[from],
                    "to_node": node_ids[to],
                    "statistic": sep.p_value,
                    "level": sep.depth,
                    "nodes": nodes,
                }));
            }
        }
    }

    let mut meta = options.to_meta();
    let weight_kind = match options.test {
        TestKind::GaussCi => "abs_partial_correlation",
        TestKind::DisCi | TestKind::BinCi => "conditional_mutual_information_nats",
        TestKind::ChiSq => "chi2_per_row",
    };
    let figures = [
        ("executor", json!("causeway-pc")),
        ("executor_version", json!(env!("CARGO_PKG_VERSION"))),
        ("algorithm", json!("pc-stable")),
        ("n_tests", json!(sk.n_tests)),
        ("n_levels", json!(sk.levels.len())),
        ("n_samples", json!(facts.n_rows)),
        ("dropped_rows", json!(facts.dropped_rows)),
        ("n_variables", json!(node_ids.len())),
        ("n_directed_edges", json!(pc.cpdag.directed.len())),
        ("n_undirected_edges", json!(pc.cpdag.undirected.len())),
        ("skeleton_time", json!(pc.skeleton_seconds)),
        ("orientation_time", json!(pc.orientation_seconds)),
        ("edge_weight", json!(weight_kind)),
    ];
    for (k, v) in figures {
        meta.insert(k.to_string(), v);
    }

    json!({
        "job_id": options.job_id,
        "meta_results": meta,
        "edge_list": edge_list,
        "sepset_list": sepset_list,
        "execution_time": facts.execution_time,
        "dataset_loading_time": facts.dataset_loading_time,
    })
}
