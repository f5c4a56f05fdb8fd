//! A study's benchmark (docs/api.md "Studies"): per experiment, its runs' results scored against
//! the dataset's ground truth with `graph::compare` (the code behind `gtcompare`), summarised as
//! median, min and max over runs; and the same table as CSV.
//!
//! Per run: skeleton scores (adjacencies, `SkeletonScores`; tpr = recall), directed scores from
//! MPCSL's error types (TP/FP/FN/TN over ordered pairs), SHD between the CPDAGs, execution and
//! dataset-loading time, and the executor's count of CI tests (`meta_results.n_tests`, reported
//! by the native PC and causal-learn's PC). A run is a job's latest result; hidden jobs are left
//! out; every round of the study counts.

use poem_openapi::Object;
use serde_json::{Map, Value};

use crate::graph::{Graph, compare};

/// Median, min and max of a metric over runs.
#[derive(Debug, Clone, Copy, PartialEq, Object)]
pub struct Stat {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// Rates of one kind of edge comparison; each `null` when no run has a value.
#[derive(Debug, Clone, Copy, PartialEq, Default, Object)]
pub struct Scores {
    #[oai(nullable)]
    pub tpr: Option<Stat>,
    #[oai(nullable)]
    pub fpr: Option<Stat>,
    #[oai(nullable)]
    pub precision: Option<Stat>,
    #[oai(nullable)]
    pub recall: Option<Stat>,
    #[oai(nullable)]
    pub f1: Option<Stat>,
}

/// One experiment of a benchmark.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "BenchmarkRow")]
pub struct Row {
    pub experiment_id: i32,
    pub experiment_name: String,
    pub dataset_id: i32,
    pub algorithm_id: i32,
    pub algorithm_name: String,
    /// The experiment's grid point.
    pub parameters: Value,
    pub point_label: String,
    /// Runs with a result.
    pub results: i64,
    /// Adjacency scores (orientation ignored); null without ground truth.
    pub skeleton: Scores,
    /// Scores over ordered pairs (MPCSL's error types); null without ground truth.
    pub directed: Scores,
    /// Structural Hamming distance between the CPDAGs.
    #[oai(nullable)]
    pub shd: Option<Stat>,
    /// Seconds.
    #[oai(nullable)]
    pub execution_time: Option<Stat>,
    /// Seconds.
    #[oai(nullable)]
    pub dataset_loading_time: Option<Stat>,
    /// Conditional-independence tests performed, when the executor reports them.
    #[oai(nullable)]
    pub ci_tests: Option<Stat>,
}

/// A study's benchmark table.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct Benchmark {
    pub study_id: i32,
    /// Whether every dataset of the study has a ground truth.
    pub ground_truth: bool,
    /// Parameters whose value differs between the study's experiments.
    pub swept_parameters: Vec<String>,
    pub rows: Vec<Row>,
}

/// The scores of one run against the ground truth.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RunScores {
    /// tpr, fpr, precision, recall, f1.
    pub skeleton: [Option<f64>; 5],
    pub directed: [Option<f64>; 5],
    pub shd: f64,
}

/// One run of an experiment: its figures, and its scores when there is a ground truth.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Run {
    pub scores: Option<RunScores>,
    pub execution_time: Option<f64>,
    pub dataset_loading_time: Option<f64>,
    pub ci_tests: Option<f64>,
}

fn ratio(numerator: usize, denominator: usize) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// Scores `candidate` against `truth`.
pub fn score(truth: &Graph, candidate: &Graph) -> RunScores {
    let c = compare::compare(truth, candidate);
    let s = c.skeleton;
    let e = &c.error_types;
    let (tp, fp, fn_, tn) = (
        e.true_positives.edges.len(),
        e.false_positives.edges.len(),
        e.false_negatives.edges.len(),
        e.true_negatives.edges.len(),
    );
    RunScores {
        skeleton: [s.recall, s.fpr, s.precision, s.recall, s.f1],
        directed: [
            ratio(tp, tp + fn_),
            ratio(fp, fp + tn),
            ratio(tp, tp + fp),
            ratio(tp, tp + fn_),
            ratio(2 * tp, 2 * tp + fp + fn_),
        ],
        shd: c.shd_cpdag as f64,
    }
}

/// Median (mean of the middle two for an even count), min and max; `None` without values.
pub fn stat(values: impl IntoIterator<Item = Option<f64>>) -> Option<Stat> {
    let mut values: Vec<f64> = values.into_iter().flatten().filter(|v| v.is_finite()).collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 };
    Some(Stat { median, min: values[0], max: values[n - 1] })
}

/// Summarises runs into the metric columns of a row (the caller fills in the identity).
pub fn summarise(runs: &[Run]) -> (Scores, Scores, Option<Stat>, Option<Stat>, Option<Stat>, Option<Stat>) {
    let scores = |pick: fn(&RunScores) -> [Option<f64>; 5]| {
        let column = |i: usize| stat(runs.iter().map(|r| r.scores.as_ref().and_then(|s| pick(s)[i])));
        Scores { tpr: column(0), fpr: column(1), precision: column(2), recall: column(3), f1: column(4) }
    };
    (
        scores(|s| s.skeleton),
        scores(|s| s.directed),
        stat(runs.iter().map(|r| r.scores.map(|s| s.shd))),
        stat(runs.iter().map(|r| r.execution_time)),
        stat(runs.iter().map(|r| r.dataset_loading_time)),
        stat(runs.iter().map(|r| r.ci_tests)),
    )
}

/// Names of the parameters whose value differs between points, in order of first appearance.
pub fn swept_parameters<'a>(points: impl IntoIterator<Item = &'a Map<String, Value>>) -> Vec<String> {
    let mut seen: Vec<(String, Vec<&'a Value>)> = Vec::new();
    for point in points {
        for (name, value) in point {
            match seen.iter_mut().find(|(n, _)| n == name) {
                Some((_, values)) => {
                    if !values.contains(&value) {
                        values.push(value);
                    }
                }
                None => seen.push((name.clone(), vec![value])),
            }
        }
    }
    seen.into_iter().filter(|(_, values)| values.len() > 1).map(|(name, _)| name).collect()
}

/// Orders two parameter values: numbers numerically, then everything else by its JSON text.
pub fn compare_values(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    match (a.and_then(Value::as_f64), b.and_then(Value::as_f64)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => {
            let text = |v: Option<&Value>| v.map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
            text(a).cmp(&text(b))
        }
    }
}

const METRICS: [&str; 5] = ["tpr", "fpr", "precision", "recall", "f1"];

/// The CSV header: the row's fields, every Stat as `<metric>_median,<metric>_min,<metric>_max`.
pub fn csv_header() -> Vec<String> {
    let mut header: Vec<String> = [
        "experiment_id",
        "experiment_name",
        "dataset_id",
        "algorithm_id",
        "algorithm_name",
        "parameters",
        "point_label",
        "results",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut stat = |name: &str| {
        for part in ["median", "min", "max"] {
            header.push(format!("{name}_{part}"));
        }
    };
    for kind in ["skeleton", "directed"] {
        for metric in METRICS {
            stat(&format!("{kind}_{metric}"));
        }
    }
    for name in ["shd", "execution_time", "dataset_loading_time", "ci_tests"] {
        stat(name);
    }
    header
}

/// The benchmark as CSV (RFC 4180 quoting; empty cells for null).
pub fn to_csv(benchmark: &Benchmark) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(csv_header())?;
    for row in &benchmark.rows {
        let mut record: Vec<String> = vec![
            row.experiment_id.to_string(),
            row.experiment_name.clone(),
            row.dataset_id.to_string(),
            row.algorithm_id.to_string(),
            row.algorithm_name.clone(),
            row.parameters.to_string(),
            row.point_label.clone(),
            row.results.to_string(),
        ];
        let mut push = |stat: Option<Stat>| match stat {
            Some(s) => record.extend([s.median, s.min, s.max].map(|v| v.to_string())),
            None => record.extend([String::new(), String::new(), String::new()]),
        };
        for scores in [&row.skeleton, &row.directed] {
            for stat in [scores.tpr, scores.fpr, scores.precision, scores.recall, scores.f1] {
                push(stat);
            }
        }
        for stat in [row.shd, row.execution_time, row.dataset_loading_time, row.ci_tests] {
            push(stat);
        }
        writer.write_record(&record)?;
    }
    writer.into_inner().map_err(|err| csv::Error::from(err.into_error()))
}

#[cfg(test)]
mod tests {
    use super::super::super::graph::{GraphEdge, GraphNode};
    use super::*;
    use serde_json::json;

    fn graph(arcs: &[(i64, i64)]) -> Graph {
        let nodes = (1..=4).map(|id| GraphNode { id, label: format!("n{id}") }).collect();
        let edges = arcs
            .iter()
            .enumerate()
            .map(|(i, &(from, to))| GraphEdge { id: i as i64, from, to, weight: None, label: String::new() })
            .collect();
        Graph::for_result(1, nodes, edges)
    }

    #[test]
    fn a_perfect_result_scores_one_and_shd_zero() {
        // A chain 1 → 2 → 3 and the collider 3 ← 4 … as its own result.
        let truth = graph(&[(1, 2), (2, 3), (4, 3)]);
        let s = score(&truth, &truth);
        assert_eq!(s.skeleton, [Some(1.0), Some(0.0), Some(1.0), Some(1.0), Some(1.0)]);
        assert_eq!(s.directed, [Some(1.0), Some(0.0), Some(1.0), Some(1.0), Some(1.0)]);
        assert_eq!(s.shd, 0.0);
    }

    #[test]
    fn a_missing_edge_scores_as_computed_by_hand() {
        // Truth: 1 → 2, 2 → 3, 4 → 3 (6 unordered pairs, 3 adjacent). Result lacks 1 → 2.
        let truth = graph(&[(1, 2), (2, 3), (4, 3)]);
        let result = graph(&[(2, 3), (4, 3)]);
        let s = score(&truth, &result);
        // Skeleton: TP 2, FP 0, FN 1; 3 non-adjacent pairs in the truth.
        assert_eq!(s.skeleton, [Some(2.0 / 3.0), Some(0.0), Some(1.0), Some(2.0 / 3.0), Some(0.8)]);
        // Ordered pairs: TP 2, FP 0, FN 1, TN 12 - 3 = 9.
        assert_eq!(s.directed, [Some(2.0 / 3.0), Some(0.0), Some(1.0), Some(2.0 / 3.0), Some(0.8)]);
        // CPDAGs: both have the collider 2 → 3 ← 4; the truth's 1 — 2 stays undirected and
        // the result lacks it: one pair differs.
        assert_eq!(s.shd, 1.0);
    }

    #[test]
    fn stats_are_median_min_max_over_values() {
        assert_eq!(
            stat([Some(3.0), None, Some(1.0), Some(2.0)]),
            Some(Stat { median: 2.0, min: 1.0, max: 3.0 })
        );
        assert_eq!(stat([Some(4.0), Some(1.0)]), Some(Stat { median: 2.5, min: 1.0, max: 4.0 }));
        assert_eq!(stat([None, None]), None);
        let runs = [
            Run { execution_time: Some(2.0), ..Default::default() },
            Run { execution_time: Some(4.0), ci_tests: Some(10.0), ..Default::default() },
        ];
        let (skeleton, _, shd, time, _, tests) = summarise(&runs);
        assert_eq!(skeleton, Scores::default());
        assert_eq!(shd, None);
        assert_eq!(time, Some(Stat { median: 3.0, min: 2.0, max: 4.0 }));
        assert_eq!(tests, Some(Stat { median: 10.0, min: 10.0, max: 10.0 }));
    }

    #[test]
    fn swept_parameters_are_those_that_vary() {
        let points = [
            json!({"alpha": 0.01, "test": "g"}),
            json!({"alpha": 0.05, "test": "g"}),
            json!({"alpha": 0.05, "test": "g", "cores": 1}),
        ];
        let maps: Vec<Map<String, Value>> = points.iter().map(|p| p.as_object().unwrap().clone()).collect();
        assert_eq!(swept_parameters(&maps), ["alpha"]);
        assert!(compare_values(Some(&json!(0.1)), Some(&json!(0.05))).is_gt());
        assert!(compare_values(Some(&json!("a")), Some(&json!("b"))).is_lt());
        assert!(compare_values(None, Some(&json!(1))).is_lt());
    }

    #[test]
    fn csv_has_a_header_and_one_row_per_experiment() {
        let row = Row {
            experiment_id: 3,
            experiment_name: "causeway/pc alpha=0.01, test=x".into(),
            dataset_id: 1,
            algorithm_id: 2,
            algorithm_name: "causeway/pc".into(),
            parameters: json!({"alpha": 0.01}),
            point_label: "alpha=0.01".into(),
            results: 1,
            skeleton: Scores { f1: Some(Stat { median: 1.0, min: 1.0, max: 1.0 }), ..Default::default() },
            directed: Scores::default(),
            shd: Some(Stat { median: 0.0, min: 0.0, max: 0.0 }),
            execution_time: None,
            dataset_loading_time: None,
            ci_tests: None,
        };
        let benchmark =
            Benchmark { study_id: 1, ground_truth: true, swept_parameters: vec![], rows: vec![row] };
        let text = String::from_utf8(to_csv(&benchmark).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].split(',').count(), 8 + 3 * (5 + 5 + 4));
        assert!(lines[0].starts_with("experiment_id,experiment_name,dataset_id,algorithm_id,algorithm_name,parameters,point_label,results,skeleton_tpr_median,"));
        assert!(lines[1].starts_with("3,\"causeway/pc alpha=0.01, test=x\",1,2,causeway/pc,\"{\"\"alpha\"\":0.01}\",alpha=0.01,1,,,,"), "{}", lines[1]);
    }
}
