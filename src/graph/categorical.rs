//! Categorical distributions (api.md §9): column values as MPCSL sees them in Python, their
//! counts keyed by Python's `str(value)`, and the categorical condition test of §9.2/§9.3.

use std::cmp::Ordering;

use super::pyfmt::float_repr;

/// A column has "categorical" values when it has at most this many distinct values (§9).
pub const DISCRETE_LIMIT: usize = 10;

/// Whether a column with `distinct` distinct values is treated as categorical.
pub fn is_categorical(distinct: usize) -> bool {
    distinct <= DISCRETE_LIMIT
}

/// One database value of a column, with Python's semantics for equality, order and text.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl Scalar {
    /// Python's `str(value)`: `"0"` for ints, `"1.0"` for floats, `"True"` for booleans,
    /// `"None"` for NULL.
    pub fn python_str(&self) -> String {
        match self {
            Scalar::Null => "None".to_string(),
            Scalar::Bool(true) => "True".to_string(),
            Scalar::Bool(false) => "False".to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(x) => float_repr(*x),
            Scalar::Text(s) => s.clone(),
        }
    }

    /// The numeric value of a bool, int or float.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Scalar::Bool(b) => Some(f64::from(u8::from(*b))),
            Scalar::Int(i) => Some(*i as f64),
            Scalar::Float(x) => Some(*x),
            Scalar::Null | Scalar::Text(_) => None,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Scalar::Null => 0,
            Scalar::Bool(_) | Scalar::Int(_) | Scalar::Float(_) => 1,
            Scalar::Text(_) => 2,
        }
    }

    /// A total order that agrees with Python's within one type of column: numbers by exact
    /// value (`True == 1 == 1.0`, NaN last), text by code point. Python cannot order mixed kinds
    /// at all; here NULL sorts first and text after numbers.
    pub fn python_cmp(&self, other: &Scalar) -> Ordering {
        match (self.number(), other.number()) {
            (Some(a), Some(b)) => a.cmp(b),
            _ => match (self, other) {
                (Scalar::Text(a), Scalar::Text(b)) => a.cmp(b),
                (a, b) => a.rank().cmp(&b.rank()),
            },
        }
    }

    fn number(&self) -> Option<Number> {
        match self {
            Scalar::Bool(b) => Some(Number::Int(i64::from(*b))),
            Scalar::Int(i) => Some(Number::Int(*i)),
            Scalar::Float(x) => Some(Number::Float(*x)),
            Scalar::Null | Scalar::Text(_) => None,
        }
    }

    /// Python's `==` (numbers compare by value, a string never equals a number, NaN equals
    /// nothing).
    pub fn python_eq(&self, other: &Scalar) -> bool {
        let nan = |s: &Scalar| matches!(s, Scalar::Float(x) if x.is_nan());
        !nan(self) && !nan(other) && self.python_cmp(other) == Ordering::Equal
    }
}

/// A numeric value compared exactly, so that ordering stays total even for integers beyond
/// 2^53 next to floats.
#[derive(Clone, Copy)]
enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    fn cmp(self, other: Number) -> Ordering {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a.cmp(&b),
            (Number::Float(a), Number::Float(b)) => match (a.is_nan(), b.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
            },
            (Number::Int(i), Number::Float(f)) => int_float_cmp(i, f),
            (Number::Float(f), Number::Int(i)) => int_float_cmp(i, f).reverse(),
        }
    }
}

fn int_float_cmp(i: i64, f: f64) -> Ordering {
    // 2^63 is exactly representable; every i64 is below it and at or above −2^63.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || f >= TWO_63 {
        return Ordering::Less;
    }
    if f < -TWO_63 {
        return Ordering::Greater;
    }
    let floor = f.floor();
    match i.cmp(&(floor as i64)) {
        Ordering::Equal if f > floor => Ordering::Less,
        ordering => ordering,
    }
}

/// The distinct values of `values` in ascending order with their counts. Equal values (by
/// [`Scalar::python_eq`], NaNs together) form one category, represented by its first occurrence.
pub fn value_counts(values: &[Scalar]) -> Vec<(&Scalar, u64)> {
    let mut sorted: Vec<&Scalar> = values.iter().collect();
    // Stable, so each category's first element is its first occurrence.
    sorted.sort_by(|a, b| a.python_cmp(b));
    let mut counts: Vec<(&Scalar, u64)> = Vec::new();
    for value in sorted {
        match counts.last_mut() {
            Some((current, count)) if current.python_cmp(value) == Ordering::Equal => *count += 1,
            _ => counts.push((value, 1)),
        }
    }
    counts
}

/// The categorical `bins` of a Distribution (§9.1): `(str(value), count)` in ascending value
/// order.
pub fn categorical_bins(values: &[Scalar]) -> Vec<(String, u64)> {
    value_counts(values).into_iter().map(|(v, c)| (v.python_str(), c)).collect()
}

/// The number of distinct non-NULL values (SQL's `COUNT(DISTINCT …)`).
pub fn distinct_count(values: &[Scalar]) -> usize {
    value_counts(values).iter().filter(|(v, _)| **v != Scalar::Null).count()
}

/// The most frequent value, the smallest one on ties (§9.2 `auto` for a categorical node).
pub fn most_frequent(values: &[Scalar]) -> Option<&Scalar> {
    let mut best: Option<(&Scalar, u64)> = None;
    for (value, count) in value_counts(values) {
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((value, count));
        }
    }
    best.map(|(v, _)| v)
}

/// A condition on the cause of an intervention (§9.3) or on a conditioning node (§9.2).
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `{"categorical": true, "values": [...]}`: the value is one of these.
    Values(Vec<Scalar>),
    /// `{"categorical": false, "from_value": a, "to_value": b}`.
    Range { from: f64, to: f64 },
}

impl Condition {
    /// The intervention test of §9.3: membership by Python equality (a string never matches a
    /// number), or `from ≤ value < to` for a range (the fixed form of MPCSL's always-false
    /// predicate). Conditional distributions (§9.2) use an inclusive range instead, see
    /// [`Condition::matches_inclusive`].
    pub fn matches(&self, value: &Scalar) -> bool {
        match self {
            Condition::Values(values) => values.iter().any(|v| v.python_eq(value)),
            Condition::Range { from, to } => value.as_f64().is_some_and(|x| *from <= x && x < *to),
        }
    }

    /// The conditional-distribution test of §9.2: ranges include both ends.
    pub fn matches_inclusive(&self, value: &Scalar) -> bool {
        match self {
            Condition::Values(_) => self.matches(value),
            Condition::Range { from, to } => value.as_f64().is_some_and(|x| *from <= x && x <= *to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_text_forms() {
        assert_eq!(Scalar::Int(0).python_str(), "0");
        assert_eq!(Scalar::Float(1.0).python_str(), "1.0");
        assert_eq!(Scalar::Float(2.5e-7).python_str(), "2.5e-07");
        assert_eq!(Scalar::Bool(true).python_str(), "True");
        assert_eq!(Scalar::Null.python_str(), "None");
        assert_eq!(Scalar::Text("a".into()).python_str(), "a");
    }

    #[test]
    fn categorical_bins_are_sorted_by_value_not_text() {
        // 10 sorts after 9 numerically although "10" < "9" as text.
        let values: Vec<Scalar> = [9, 10, 9, 1, 10, 10].into_iter().map(Scalar::Int).collect();
        assert_eq!(
            categorical_bins(&values),
            vec![("1".to_string(), 1), ("9".to_string(), 2), ("10".to_string(), 3)]
        );
        let floats = [Scalar::Float(1.0), Scalar::Float(0.0), Scalar::Float(1.0)];
        assert_eq!(categorical_bins(&floats), vec![("0.0".to_string(), 1), ("1.0".to_string(), 2)]);
        let bools = [Scalar::Bool(true), Scalar::Bool(false)];
        assert_eq!(categorical_bins(&bools)[1], ("True".to_string(), 1));
        assert!(categorical_bins(&[]).is_empty());
    }

    #[test]
    fn distinct_counts_and_the_categorical_threshold() {
        let values: Vec<Scalar> = (0..10).map(Scalar::Int).chain([Scalar::Null, Scalar::Int(3)]).collect();
        assert_eq!(distinct_count(&values), 10);
        assert!(is_categorical(10) && !is_categorical(11));
    }

    #[test]
    fn most_frequent_takes_the_smallest_on_ties() {
        let values: Vec<Scalar> = [3, 1, 3, 1, 2].into_iter().map(Scalar::Int).collect();
        assert_eq!(most_frequent(&values), Some(&Scalar::Int(1)));
        assert_eq!(most_frequent(&[]), None);
    }

    #[test]
    fn conditions_follow_python_equality() {
        let c = Condition::Values(vec![Scalar::Int(7), Scalar::Text("x".into())]);
        assert!(c.matches(&Scalar::Int(7)));
        assert!(c.matches(&Scalar::Float(7.0)));
        assert!(c.matches(&Scalar::Text("x".into())));
        // A string never matches a number (the UI sends categories as strings).
        assert!(!Condition::Values(vec![Scalar::Text("7".into())]).matches(&Scalar::Int(7)));
        assert!(!c.matches(&Scalar::Null));

        let r = Condition::Range { from: 1.0, to: 2.0 };
        assert!(r.matches(&Scalar::Float(1.0)) && !r.matches(&Scalar::Float(2.0)));
        assert!(r.matches_inclusive(&Scalar::Float(2.0)));
        assert!(!r.matches(&Scalar::Text("1.5".into())));
        assert!(!Scalar::Float(f64::NAN).python_eq(&Scalar::Float(f64::NAN)));
    }

    #[test]
    fn mixed_kinds_have_a_total_order() {
        let values = [
            Scalar::Text("b".into()),
            Scalar::Int(2),
            Scalar::Null,
            Scalar::Float(f64::NAN),
            Scalar::Bool(true),
        ];
        let keys: Vec<String> = categorical_bins(&values).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, vec!["None", "True", "2", "nan", "b"]);
        // Integers and floats compare exactly, also beyond 2^53.
        assert_eq!(Scalar::Int(i64::MAX).python_cmp(&Scalar::Float(9.3e18)), Ordering::Less);
        assert_eq!(Scalar::Int(3).python_cmp(&Scalar::Float(2.5)), Ordering::Greater);
        assert_eq!(Scalar::Int(-3).python_cmp(&Scalar::Float(-2.5)), Ordering::Less);
        assert_eq!(Scalar::Float(2.0).python_cmp(&Scalar::Bool(true)), Ordering::Greater);
        assert!(Scalar::Int(1).python_eq(&Scalar::Bool(true)));
    }
}
