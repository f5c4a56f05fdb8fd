//! From a study request to the experiments it makes: grids parsed (`grid`), every point checked
//! against the algorithm's parameter schema with the code experiments use
//! (`parameters::coerce_parameters`), sizes limited. Pure: the caller loads the algorithms and
//! datasets. Every error is a sentence for a 400 naming the algorithm (by its index in the
//! request) and the point.

use serde_json::{Map, Value};

use super::grid;
use crate::parameters;
use entity::algorithm;

/// Most experiments one study may make.
pub const MAX_EXPERIMENTS: u64 = 500;
/// Most jobs one start of a study may queue (experiments × their runs).
pub const MAX_JOBS: u64 = 5000;

/// One algorithm of a study request.
#[derive(Debug, Clone)]
pub struct AlgorithmSpec {
    pub algorithm_id: i32,
    /// Parameter name → grid (scalar, list or range).
    pub parameters: Map<String, Value>,
    pub runs: i32,
}

/// One experiment a study makes.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedExperiment {
    /// Index of its algorithm in the request.
    pub algorithm_index: usize,
    pub algorithm_id: i32,
    pub dataset_id: i32,
    /// The grid point, coerced, in the grid's order.
    pub point: Map<String, Value>,
    /// The coerced parameters in the schema's order (what the executor receives).
    pub parameters: Map<String, Value>,
    pub point_label: String,
    pub name: String,
    pub runs: i32,
}

/// How an algorithm is named in studies: `package/function`.
pub fn algorithm_name(algorithm: &algorithm::Model) -> String {
    format!(
        "{}/{}",
        algorithm.package.as_deref().unwrap_or_default(),
        algorithm.function.as_deref().unwrap_or_default()
    )
}

/// `{"alpha": 2, "test": "x"}`: a point as the error messages show it.
fn point_text(point: &Map<String, Value>) -> String {
    let fields: Vec<String> =
        point.iter().map(|(k, v)| format!("{}: {v}", Value::String(k.clone()))).collect();
    format!("{{{}}}", fields.join(", "))
}

/// Plans the experiments: datasets (id, name) in request order, `algorithms[i]` the catalogue
/// entry of `specs[i]`. Order: by algorithm, then point, then dataset. The dataset's name is
/// appended to experiment names when there are several datasets.
pub fn plan(
    datasets: &[(i32, String)],
    specs: &[AlgorithmSpec],
    algorithms: &[algorithm::Model],
) -> Result<Vec<PlannedExperiment>, String> {
    // Grids first, with the size limits checked before anything is expanded.
    let mut grids = Vec::with_capacity(specs.len());
    let (mut experiments, mut jobs) = (0u64, 0u64);
    for (index, (spec, algorithm)) in specs.iter().zip(algorithms).enumerate() {
        let schema = algorithm.valid_parameters.as_ref().and_then(Value::as_object);
        let declared = |name: &str| schema.is_some_and(|s| s.contains_key(name));
        if let Some(unknown) = spec.parameters.keys().find(|name| !declared(name)) {
            let known: Vec<&str> = schema.map(|s| s.keys().map(String::as_str).collect()).unwrap_or_default();
            return Err(format!(
                "algorithms[{index}]: unknown parameter {unknown:?}; {} takes {}",
                algorithm_name(algorithm),
                if known.is_empty() { "no parameters".to_owned() } else { known.join(", ") }
            ));
        }
        let is_integer = |name: &str| {
            schema.and_then(|s| s.get(name)).and_then(|d| d.get("type")).and_then(Value::as_str)
                == Some("int")
        };
        let axes = grid::axes(&spec.parameters, is_integer)
            .map_err(|why| format!("algorithms[{index}]: invalid grid for {why}"))?;
        let count = grid::size(&axes).saturating_mul(datasets.len() as u64);
        experiments = experiments.saturating_add(count);
        jobs = jobs.saturating_add(count.saturating_mul(spec.runs.max(1) as u64));
        grids.push(axes);
    }
    if experiments > MAX_EXPERIMENTS {
        return Err(format!(
            "The study would make {experiments} experiments; the limit is {MAX_EXPERIMENTS}. Use fewer \
             grid values, algorithms or datasets."
        ));
    }
    if jobs > MAX_JOBS {
        return Err(format!(
            "The study would queue {jobs} jobs (experiments × runs); the limit is {MAX_JOBS}. Use fewer \
             runs or grid values."
        ));
    }
    let several = datasets.len() > 1;
    let mut planned = Vec::with_capacity(experiments as usize);
    for (index, ((spec, algorithm), axes)) in specs.iter().zip(algorithms).zip(&grids).enumerate() {
        for point in grid::points(axes) {
            let coerced = parameters::coerce_parameters(algorithm.valid_parameters.as_ref(), &point)
                .map_err(|errors| {
                    let fields = match errors.into_value() {
                        Value::Object(fields) => fields,
                        _ => Map::new(),
                    };
                    let reasons: Vec<String> = fields
                        .iter()
                        .map(|(field, messages)| {
                            let texts: Vec<&str> = messages
                                .as_array()
                                .map(|m| m.iter().filter_map(Value::as_str).collect())
                                .unwrap_or_default();
                            format!("{field}: {}", texts.join(" "))
                        })
                        .collect();
                    format!("algorithms[{index}] point {}: {}", point_text(&point), reasons.join("; "))
                })?;
            // The point with coerced values, in the grid's order.
            let point: Map<String, Value> =
                point.keys().filter_map(|k| coerced.get(k).map(|v| (k.clone(), v.clone()))).collect();
            let point_label = grid::label(&point);
            for (dataset_id, dataset_name) in datasets {
                let mut name = algorithm_name(algorithm);
                if !point_label.is_empty() {
                    name = format!("{name} {point_label}");
                }
                if several {
                    name = format!("{name} ({dataset_name})");
                }
                planned.push(PlannedExperiment {
                    algorithm_index: index,
                    algorithm_id: algorithm.id,
                    dataset_id: *dataset_id,
                    point: point.clone(),
                    parameters: coerced.clone(),
                    point_label: point_label.clone(),
                    name,
                    runs: spec.runs,
                });
            }
        }
    }
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pc() -> algorithm::Model {
        algorithm::Model {
            id: 7,
            package: Some("causeway".into()),
            function: Some("pc".into()),
            script_filename: None,
            docker_image: None,
            description: None,
            needs_gpu: None,
            valid_parameters: Some(json!({
                "alpha": {"type": "float", "required": true, "minimum": 0.0, "maximum": 1.0},
                "independence_test": {"type": "enum", "required": true, "values": ["gaussCI", "disCI"]},
                "cores": {"type": "int", "minimum": 1}
            })),
            docker_parameters: json!({}),
            local_command: None,
            created_by: None,
        }
    }

    fn spec(parameters: Value, runs: i32) -> AlgorithmSpec {
        AlgorithmSpec { algorithm_id: 7, parameters: parameters.as_object().unwrap().clone(), runs }
    }

    #[test]
    fn one_experiment_per_point_and_dataset_named_after_the_point() {
        let datasets = [(1, "a".to_owned()), (2, "b".to_owned())];
        let planned = plan(
            &datasets,
            &[spec(json!({"independence_test": "gaussCI", "alpha": ["0.01", 0.05]}), 2)],
            &[pc()],
        )
        .unwrap();
        assert_eq!(planned.len(), 4);
        assert_eq!(planned[0].name, "causeway/pc independence_test=gaussCI, alpha=0.01 (a)");
        assert_eq!(planned[1].dataset_id, 2);
        assert_eq!(planned[2].point_label, "independence_test=gaussCI, alpha=0.05");
        // Coerced values; the executor's parameters in schema order.
        assert_eq!(
            Value::Object(planned[0].point.clone()),
            json!({"independence_test": "gaussCI", "alpha": 0.01})
        );
        let keys: Vec<&String> = planned[0].parameters.keys().collect();
        assert_eq!(keys, ["alpha", "independence_test"]);
        let single =
            plan(&datasets[..1], &[spec(json!({"alpha": 0.1, "independence_test": "disCI"}), 1)], &[pc()]);
        assert_eq!(single.unwrap()[0].name, "causeway/pc alpha=0.1, independence_test=disCI");
    }

    #[test]
    fn a_point_that_fails_the_schema_is_named() {
        let datasets = [(1, "a".to_owned())];
        let err =
            plan(&datasets, &[spec(json!({"alpha": [0.5, 2], "independence_test": "gaussCI"}), 1)], &[pc()])
                .unwrap_err();
        assert_eq!(
            err,
            "algorithms[0] point {\"alpha\": 2, \"independence_test\": \"gaussCI\"}: alpha: Must be between 0.0 and 1.0."
        );
        let err = plan(&datasets, &[spec(json!({"alpha": 0.5}), 1)], &[pc()]).unwrap_err();
        assert_eq!(
            err,
            "algorithms[0] point {\"alpha\": 0.5}: independence_test: Missing data for required field."
        );
    }

    #[test]
    fn unknown_parameters_and_bad_grids_are_refused() {
        let datasets = [(1, "a".to_owned())];
        let err = plan(&datasets, &[spec(json!({"alpha": 0.1, "alhpa": 1}), 1)], &[pc()]).unwrap_err();
        assert_eq!(
            err,
            "algorithms[0]: unknown parameter \"alhpa\"; causeway/pc takes alpha, independence_test, cores"
        );
        let err = plan(
            &datasets,
            &[spec(json!({"alpha": {"from": 0, "to": 1, "steps": 3, "scale": "log"}}), 1)],
            &[pc()],
        )
        .unwrap_err();
        assert_eq!(
            err,
            "algorithms[0]: invalid grid for alpha: a log range needs from and to greater than 0 (from 0, to 1)"
        );
    }

    #[test]
    fn sizes_are_limited_before_expansion() {
        let datasets = [(1, "a".to_owned())];
        let big = json!({"alpha": {"from": 0.001, "to": 0.5, "steps": 500}, "cores": [1, 2],
                         "independence_test": "gaussCI"});
        let err = plan(&datasets, &[spec(big, 1)], &[pc()]).unwrap_err();
        assert!(err.starts_with("The study would make 1000 experiments; the limit is 500."), "{err}");
        let many_runs =
            json!({"alpha": {"from": 0.001, "to": 0.5, "steps": 100}, "independence_test": "gaussCI"});
        let err = plan(&datasets, &[spec(many_runs, 51)], &[pc()]).unwrap_err();
        assert!(
            err.starts_with("The study would queue 5100 jobs (experiments × runs); the limit is 5000."),
            "{err}"
        );
    }
}
