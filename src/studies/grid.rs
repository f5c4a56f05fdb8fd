//! Parameter grids (docs/api.md "Studies"): parsing one algorithm's `parameters` object into
//! axes and expanding them into points. Pure: no database, no schema validation of the values
//! (that is `points.rs`, with the catalogue's schema).
//!
//! Per parameter: a scalar is a fixed value, a JSON array a list of values, an object
//! `{"from", "to", "steps", "scale": "linear"|"log"}` `steps` values from `from` to `to`
//! inclusive (log: geometric, both ends > 0). Values of integer parameters are rounded; every
//! axis keeps the first of equal values. The grid is the cartesian product in the order given,
//! the first parameter varying slowest.

use serde_json::{Map, Value};

/// Most values one range may ask for.
pub const MAX_STEPS: u64 = 500;

/// One parameter's values, in order, without duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub name: String,
    pub values: Vec<Value>,
}

/// How a range spaces its values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scale {
    Linear,
    Log,
}

/// Parses every parameter's grid. `is_integer(name)` says whether a parameter's values are
/// rounded to integers (the schema's `int` type). Errors name the parameter.
pub fn axes(parameters: &Map<String, Value>, is_integer: impl Fn(&str) -> bool) -> Result<Vec<Axis>, String> {
    parameters
        .iter()
        .map(|(name, grid)| {
            let values = axis_values(grid, is_integer(name)).map_err(|why| format!("{name}: {why}"))?;
            Ok(Axis { name: name.clone(), values })
        })
        .collect()
}

/// The number of points of the product (saturating: a huge grid is refused, not allocated).
pub fn size(axes: &[Axis]) -> u64 {
    axes.iter().fold(1u64, |n, axis| n.saturating_mul(axis.values.len() as u64))
}

/// Every point of the product, the first axis varying slowest. An empty grid has one point
/// (no parameters).
pub fn points(axes: &[Axis]) -> Vec<Map<String, Value>> {
    let mut points = vec![Map::new()];
    for axis in axes {
        points = points
            .into_iter()
            .flat_map(|point| {
                axis.values.iter().map(move |value| {
                    let mut next = point.clone();
                    next.insert(axis.name.clone(), value.clone());
                    next
                })
            })
            .collect();
    }
    points
}

/// The names of the axes with more than one value.
pub fn swept(axes: &[Axis]) -> impl Iterator<Item = &str> {
    axes.iter().filter(|a| a.values.len() > 1).map(|a| a.name.as_str())
}

/// `alpha=0.01, independence_test=gaussCI`: a point as a label (strings unquoted).
pub fn label(point: &Map<String, Value>) -> String {
    point
        .iter()
        .map(|(name, value)| match value {
            Value::String(s) => format!("{name}={s}"),
            other => format!("{name}={other}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn axis_values(grid: &Value, integer: bool) -> Result<Vec<Value>, String> {
    let values = match grid {
        Value::Array(values) if values.is_empty() => return Err("an empty list has no values".into()),
        Value::Array(values) => values.clone(),
        Value::Object(range) => range_values(range, integer)?,
        Value::Null => return Err("null is not a value".into()),
        scalar => vec![scalar.clone()],
    };
    let mut distinct: Vec<Value> = Vec::with_capacity(values.len());
    for value in values {
        if !distinct.iter().any(|seen| same_value(seen, &value)) {
            distinct.push(value);
        }
    }
    Ok(distinct)
}

/// Equal JSON values, with 1 and 1.0 counted as the same number.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn range_values(range: &Map<String, Value>, integer: bool) -> Result<Vec<Value>, String> {
    const KEYS: [&str; 4] = ["from", "to", "steps", "scale"];
    if let Some(unknown) = range.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "a range has the keys from, to, steps and scale; {unknown:?} is not one of them"
        ));
    }
    let number = |key: &str| -> Result<f64, String> {
        match range.get(key) {
            None => Err(format!("a range needs {key:?}")),
            Some(value) => value.as_f64().ok_or_else(|| format!("{key:?} must be a number, not {value}")),
        }
    };
    let (from, to) = (number("from")?, number("to")?);
    let steps = match range.get("steps") {
        None => return Err("a range needs \"steps\"".into()),
        Some(value) => value
            .as_u64()
            .filter(|s| (2..=MAX_STEPS).contains(s))
            .ok_or_else(|| format!("\"steps\" must be an integer from 2 to {MAX_STEPS}, not {value}"))?,
    };
    let scale = match range.get("scale").map(|s| s.as_str()) {
        None | Some(Some("linear")) => Scale::Linear,
        Some(Some("log")) => Scale::Log,
        Some(_) => return Err(format!("\"scale\" must be \"linear\" or \"log\", not {}", range["scale"])),
    };
    if scale == Scale::Log && !(from > 0.0 && to > 0.0) {
        return Err(format!("a log range needs from and to greater than 0 (from {from}, to {to})"));
    }
    let last = (steps - 1) as f64;
    Ok((0..steps)
        .map(|i| {
            let t = i as f64 / last;
            let x = match scale {
                Scale::Linear => from + (to - from) * t,
                Scale::Log => (from.ln() + (to.ln() - from.ln()) * t).exp(),
            };
            // The ends exactly as given; values in between without floating-point noise.
            let x = if i == 0 {
                from
            } else if i == steps - 1 {
                to
            } else {
                significant(x)
            };
            if integer { Value::from(x.round() as i64) } else { number_value(x) }
        })
        .collect())
}

/// `x` to 10 significant digits (0.034000000000000004 → 0.034).
fn significant(x: f64) -> f64 {
    format!("{x:.9e}").parse().unwrap_or(x)
}

fn number_value(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(grid: Value) -> Result<Vec<Axis>, String> {
        axes(grid.as_object().unwrap(), |name| name == "cores")
    }

    fn values(grid: Value) -> Vec<Value> {
        parse(json!({ "p": grid })).unwrap().remove(0).values
    }

    #[test]
    fn scalars_are_fixed_and_lists_are_taken_in_order_without_duplicates() {
        assert_eq!(values(json!(0.05)), vec![json!(0.05)]);
        assert_eq!(values(json!("gaussCI")), vec![json!("gaussCI")]);
        assert_eq!(values(json!([0.1, 0.01, 0.1, 0.05])), vec![json!(0.1), json!(0.01), json!(0.05)]);
        assert_eq!(values(json!([1, 1.0, 2])), vec![json!(1), json!(2)]);
    }

    #[test]
    fn linear_ranges_include_both_ends_without_noise() {
        assert_eq!(
            values(json!({"from": 0.0, "to": 0.1, "steps": 5})),
            vec![json!(0.0), json!(0.025), json!(0.05), json!(0.075), json!(0.1)]
        );
        assert_eq!(
            values(json!({"from": 0.01, "to": 0.05, "steps": 3, "scale": "linear"})),
            vec![json!(0.01), json!(0.03), json!(0.05)]
        );
    }

    #[test]
    fn log_ranges_are_geometric() {
        assert_eq!(
            values(json!({"from": 0.001, "to": 0.1, "steps": 3, "scale": "log"})),
            vec![json!(0.001), json!(0.01), json!(0.1)]
        );
        let four = values(json!({"from": 1, "to": 1000, "steps": 4, "scale": "log"}));
        assert_eq!(four, vec![json!(1.0), json!(10.0), json!(100.0), json!(1000.0)]);
    }

    #[test]
    fn integer_parameters_are_rounded_and_deduplicated() {
        let axes = parse(json!({"cores": {"from": 1, "to": 4, "steps": 7}})).unwrap();
        assert_eq!(axes[0].values, vec![json!(1), json!(2), json!(3), json!(4)]);
        let axes = parse(json!({"cores": {"from": 1, "to": 8, "steps": 6, "scale": "log"}})).unwrap();
        // 1, 1.52, 2.30, 3.48, 5.28, 8 → 1, 2, 3, 5, 8
        assert_eq!(axes[0].values, vec![json!(1), json!(2), json!(3), json!(5), json!(8)]);
    }

    #[test]
    fn the_product_follows_the_given_order_first_parameter_slowest() {
        let axes = parse(json!({"alpha": [0.01, 0.05], "test": ["a", "b", "c"], "cores": 1})).unwrap();
        assert_eq!(size(&axes), 6);
        let points = points(&axes);
        assert_eq!(points.len(), 6);
        assert_eq!(Value::Object(points[0].clone()), json!({"alpha": 0.01, "test": "a", "cores": 1}));
        assert_eq!(Value::Object(points[1].clone()), json!({"alpha": 0.01, "test": "b", "cores": 1}));
        assert_eq!(Value::Object(points[3].clone()), json!({"alpha": 0.05, "test": "a", "cores": 1}));
        assert_eq!(label(&points[5]), "alpha=0.05, test=c, cores=1");
        assert_eq!(swept(&axes).collect::<Vec<_>>(), ["alpha", "test"]);
        // Key order of the label is the grid's.
        let keys: Vec<&String> = points[0].keys().collect();
        assert_eq!(keys, ["alpha", "test", "cores"]);
    }

    #[test]
    fn an_empty_grid_is_one_point_without_parameters() {
        let axes = parse(json!({})).unwrap();
        assert_eq!(size(&axes), 1);
        assert_eq!(points(&axes), vec![Map::new()]);
        assert_eq!(label(&Map::new()), "");
    }

    #[test]
    fn sizes_saturate_instead_of_overflowing() {
        let big = Axis { name: "x".into(), values: vec![json!(0); 100_000] };
        assert_eq!(size(&[big.clone(), big.clone(), big.clone()]), 1_000_000_000_000_000);
        assert_eq!(size(&[big.clone(), big.clone(), big.clone(), big.clone(), big]), u64::MAX);
        let six = Axis { name: "x".into(), values: vec![json!(0); 1000] };
        assert_eq!(size(&vec![six; 7]), u64::MAX);
    }

    #[test]
    fn bad_grids_are_refused_naming_the_parameter_and_the_problem() {
        let cases = [
            (json!({"alpha": []}), "alpha: an empty list has no values"),
            (json!({"alpha": null}), "alpha: null is not a value"),
            (json!({"alpha": {"from": 0.1, "to": 1}}), "alpha: a range needs \"steps\""),
            (json!({"alpha": {"to": 1, "steps": 3}}), "alpha: a range needs \"from\""),
            (
                json!({"alpha": {"from": "a", "to": 1, "steps": 3}}),
                "alpha: \"from\" must be a number, not \"a\"",
            ),
            (
                json!({"alpha": {"from": 0, "to": 1, "steps": 1}}),
                "alpha: \"steps\" must be an integer from 2 to 500, not 1",
            ),
            (
                json!({"alpha": {"from": 0, "to": 1, "steps": 501}}),
                "alpha: \"steps\" must be an integer from 2 to 500, not 501",
            ),
            (
                json!({"alpha": {"from": 0, "to": 1, "steps": 2.5}}),
                "alpha: \"steps\" must be an integer from 2 to 500, not 2.5",
            ),
            (
                json!({"alpha": {"from": 0, "to": 1, "steps": 3, "scale": "cubic"}}),
                "alpha: \"scale\" must be \"linear\" or \"log\", not \"cubic\"",
            ),
            (
                json!({"alpha": {"from": 0, "to": 1, "steps": 3, "scale": "log"}}),
                "alpha: a log range needs from and to greater than 0 (from 0, to 1)",
            ),
            (
                json!({"alpha": {"from": 0, "to": 1, "step": 3}}),
                "alpha: a range has the keys from, to, steps and scale; \"step\" is not one of them",
            ),
        ];
        for (grid, expected) in cases {
            assert_eq!(parse(grid.clone()).unwrap_err(), expected, "{grid}");
        }
    }
}
