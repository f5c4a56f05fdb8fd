//! Algorithm parameter schemas (`valid_parameters`) and experiment parameter validation.
//!
//! A schema maps a parameter name to a descriptor `{type, required?, minimum?, maximum?,
//! values?, default?}` (executor-contract.md §5). `check_schema` validates a schema when an
//! algorithm is created (api.md §2.2); `coerce_parameters` validates and coerces an experiment's
//! parameters against it (api.md §4.2), with marshmallow's messages.

use serde_json::{Map, Number, Value};

use crate::api::body::parse_bool;
use crate::api::error::FieldErrors;

const TYPES: [&str; 5] = ["str", "enum", "int", "float", "bool"];

/// Checks an algorithm's `valid_parameters`; messages go under the `valid_parameters` field.
pub fn check_schema(schema: &Value, errors: &mut FieldErrors) {
    const FIELD: &str = "valid_parameters";
    let Value::Object(schema) = schema else {
        errors.add(FIELD, "Not a valid mapping type.");
        return;
    };
    for (key, descriptor) in schema {
        let Some(descriptor) = descriptor.as_object() else {
            errors.add(FIELD, format!("Invalid type for key {key}"));
            continue;
        };
        let kind = descriptor.get("type").and_then(Value::as_str);
        let Some(kind) = kind.filter(|k| TYPES.contains(k)) else {
            errors.add(FIELD, format!("Invalid type for key {key}"));
            continue;
        };
        if descriptor.get("required").is_some_and(|r| !r.is_boolean()) {
            errors.add(FIELD, format!("Field `required` must be bool for key {key}"));
        }
        match kind {
            "enum" => match descriptor.get("values") {
                Some(Value::Array(values)) => {
                    if !values.iter().all(Value::is_string) {
                        errors.add(FIELD, format!("Field `values` must be list of strings for key {key}"));
                    }
                }
                _ => errors.add(FIELD, format!("Field `values` must be list for key {key}")),
            },
            "int" | "float" => {
                for bound in ["minimum", "maximum"] {
                    let Some(value) = descriptor.get(bound) else {
                        continue;
                    };
                    let right_type = match kind {
                        "int" => value.is_i64() || value.is_u64(),
                        _ => value.is_f64(),
                    };
                    if !right_type {
                        let class = if kind == "int" { "int" } else { "float" };
                        errors.add(FIELD, format!("Field `{bound}` must be <class '{class}'> for key {key}"));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Validates `given` against `schema` and returns the coerced parameters in schema order.
/// Undeclared parameters are dropped; `default`s are not applied (only the UI uses them).
/// A missing schema declares no parameters.
pub fn coerce_parameters(
    schema: Option<&Value>,
    given: &Map<String, Value>,
) -> Result<Map<String, Value>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut coerced = Map::new();
    let empty = Map::new();
    let schema = schema.and_then(Value::as_object).unwrap_or(&empty);
    for (key, descriptor) in schema {
        let required = descriptor.get("required").and_then(Value::as_bool).unwrap_or(false);
        let kind = descriptor.get("type").and_then(Value::as_str).unwrap_or("str");
        let value = match given.get(key) {
            None if required => {
                errors.add(key, "Missing data for required field.");
                continue;
            }
            None => continue,
            Some(Value::Null) => {
                errors.add(key, "Field may not be null.");
                continue;
            }
            Some(value) => value,
        };
        match coerce_value(kind, descriptor, value) {
            Ok(value) => {
                coerced.insert(key.clone(), value);
            }
            Err(message) => errors.add(key, message),
        }
    }
    if errors.is_empty() { Ok(coerced) } else { Err(errors) }
}

fn coerce_value(kind: &str, descriptor: &Value, value: &Value) -> Result<Value, String> {
    match kind {
        "str" => match value {
            Value::String(s) if !s.is_empty() => Ok(value.clone()),
            Value::String(_) => Err("Shorter than minimum length 1.".into()),
            _ => Err("Not a valid string.".into()),
        },
        "enum" => {
            let allowed = descriptor.get("values").and_then(Value::as_array);
            match value {
                Value::String(s) if allowed.is_some_and(|v| v.iter().any(|a| a == s)) => Ok(value.clone()),
                _ => Err("Not a valid choice.".into()),
            }
        }
        "int" => {
            let n = as_int(value).ok_or("Not a valid integer.")?;
            check_bounds(n as f64, descriptor, |b| b.as_i64().map(|i| i.to_string()))?;
            Ok(Value::from(n))
        }
        "float" => {
            let x = as_float(value).ok_or("Not a valid number.")?;
            check_bounds(x, descriptor, |b| b.as_f64().map(python_float))?;
            Number::from_f64(x).map(Value::Number).ok_or_else(|| "Not a valid number.".into())
        }
        "bool" => parse_bool(value).map(Value::Bool).ok_or_else(|| "Not a valid boolean.".into()),
        _ => Ok(value.clone()),
    }
}

/// marshmallow's Integer: ints, floats and numeric strings, truncated toward zero; `true` is 1.
fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|x| x.is_finite()).map(|x| x.trunc() as i64))
        }
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().filter(|x| x.is_finite()).map(|x| x.trunc() as i64))
        }
        _ => None,
    }
}

fn as_float(value: &Value) -> Option<f64> {
    match value {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    }
}

/// Inclusive `minimum`/`maximum` with marshmallow's Range messages.
fn check_bounds(x: f64, descriptor: &Value, show: impl Fn(&Value) -> Option<String>) -> Result<(), String> {
    let min = descriptor.get("minimum").filter(|v| v.is_number());
    let max = descriptor.get("maximum").filter(|v| v.is_number());
    let below = min.and_then(Value::as_f64).is_some_and(|m| x < m);
    let above = max.and_then(Value::as_f64).is_some_and(|m| x > m);
    if !below && !above {
        return Ok(());
    }
    let text = |v: &Value| show(v).unwrap_or_else(|| v.to_string());
    Err(match (min, max) {
        (Some(min), Some(max)) => format!("Must be between {} and {}.", text(min), text(max)),
        (Some(min), None) => format!("Must be at least {}.", text(min)),
        (None, Some(max)) => format!("Must be at most {}.", text(max)),
        (None, None) => unreachable!("a bound was violated"),
    })
}

/// A float as Python's `str()` writes it: `1.0`, `0.05`, `1e-05`, `1e+16`.
pub use crate::graph::pyfmt::float_repr as python_float;

/// A parameter value as Python's `str()` writes it (executor arguments, executor-contract §1).
pub fn python_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        Value::Number(n) if n.is_f64() => python_float(n.as_f64().unwrap_or_default()),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema_errors(schema: Value) -> Value {
        let mut errors = FieldErrors::default();
        check_schema(&schema, &mut errors);
        errors.into_value()
    }

    #[test]
    fn a_valid_catalogue_schema_passes() {
        let schema = json!({
            "alpha": {"type": "float", "required": true, "minimum": 0.0, "maximum": 1.0},
            "independence_test": {"type": "enum", "values": ["gaussCI", "disCI"]},
            "cores": {"type": "int", "minimum": 1, "default": 1},
            "verbose": {"type": "bool"}, "note": {"type": "str"}
        });
        assert_eq!(schema_errors(schema), json!({}));
    }

    #[test]
    fn schema_errors_name_the_key_and_the_rule() {
        let schema = json!({
            "a": {"type": "complex"},
            "b": {"type": "int", "required": "yes"},
            "c": {"type": "enum"},
            "d": {"type": "enum", "values": [1, 2]},
            "e": {"type": "float", "minimum": 0},
            "f": {"type": "int", "maximum": 1.5}
        });
        assert_eq!(
            schema_errors(schema),
            json!({"valid_parameters": [
                "Invalid type for key a",
                "Field `required` must be bool for key b",
                "Field `values` must be list for key c",
                "Field `values` must be list of strings for key d",
                "Field `minimum` must be <class 'float'> for key e",
                "Field `maximum` must be <class 'int'> for key f",
            ]})
        );
        assert_eq!(schema_errors(json!([1])), json!({"valid_parameters": ["Not a valid mapping type."]}));
    }

    fn pc_schema() -> Value {
        json!({
            "alpha": {"type": "float", "required": true, "minimum": 0.0, "maximum": 1.0},
            "independence_test": {"type": "enum", "required": true, "values": ["gaussCI", "binCI"]},
            "cores": {"type": "int", "minimum": 1},
            "verbose": {"type": "bool"},
            "label": {"type": "str"}
        })
    }

    #[test]
    fn parameters_are_coerced_in_schema_order_and_undeclared_ones_dropped() {
        let given = json!({"cores": "3", "extra": 1, "alpha": "0.01", "independence_test": "binCI",
                           "verbose": "T"});
        let coerced = coerce_parameters(Some(&pc_schema()), given.as_object().unwrap()).unwrap();
        assert_eq!(
            Value::Object(coerced.clone()),
            json!({"alpha": 0.01, "independence_test": "binCI", "cores": 3, "verbose": true})
        );
        let keys: Vec<_> = coerced.keys().collect();
        assert_eq!(keys, ["alpha", "independence_test", "cores", "verbose"]);
    }

    #[test]
    fn ints_truncate_and_floats_become_floats() {
        let given = json!({"alpha": 1, "independence_test": "gaussCI", "cores": 1.9});
        let coerced = coerce_parameters(Some(&pc_schema()), given.as_object().unwrap()).unwrap();
        assert_eq!(
            serde_json::to_string(&coerced).unwrap(),
            r#"{"alpha":1.0,"independence_test":"gaussCI","cores":1}"#
        );
        let given = json!({"alpha": 0.5, "independence_test": "gaussCI", "cores": true});
        let coerced = coerce_parameters(Some(&pc_schema()), given.as_object().unwrap()).unwrap();
        assert_eq!(coerced["cores"], json!(1));
    }

    #[test]
    fn every_bad_parameter_gets_its_marshmallow_message() {
        let given = json!({"alpha": 1.5, "independence_test": "nope", "cores": 0, "verbose": "maybe",
                           "label": ""});
        let errors = coerce_parameters(Some(&pc_schema()), given.as_object().unwrap()).unwrap_err();
        assert_eq!(
            errors.into_value(),
            json!({
                "alpha": ["Must be between 0.0 and 1.0."],
                "independence_test": ["Not a valid choice."],
                "cores": ["Must be at least 1."],
                "verbose": ["Not a valid boolean."],
                "label": ["Shorter than minimum length 1."]
            })
        );
        let errors =
            coerce_parameters(Some(&pc_schema()), json!({"alpha": null}).as_object().unwrap()).unwrap_err();
        assert_eq!(
            errors.into_value(),
            json!({"alpha": ["Field may not be null."],
                   "independence_test": ["Missing data for required field."]})
        );
        let errors = coerce_parameters(
            Some(&pc_schema()),
            json!({"alpha": "x", "independence_test": "binCI", "cores": "two"}).as_object().unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            errors.into_value(),
            json!({"alpha": ["Not a valid number."], "cores": ["Not a valid integer."]})
        );
    }

    #[test]
    fn no_schema_means_no_parameters() {
        let coerced = coerce_parameters(None, json!({"a": 1}).as_object().unwrap()).unwrap();
        assert!(coerced.is_empty());
    }

    #[test]
    fn python_formatting_of_values() {
        assert_eq!(python_float(1.0), "1.0");
        assert_eq!(python_float(0.05), "0.05");
        assert_eq!(python_float(1e-5), "1e-05");
        assert_eq!(python_float(2.5e16), "2.5e+16");
        assert_eq!(python_float(-3.0), "-3.0");
        assert_eq!(python_str(&json!(true)), "True");
        assert_eq!(python_str(&json!(2)), "2");
        assert_eq!(python_str(&json!(1.0)), "1.0");
        assert_eq!(python_str(&json!("gaussCI")), "gaussCI");
    }
}
