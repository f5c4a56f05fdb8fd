//! Python's text form of floats. MPCSL is written in Python, and several of its outputs expose
//! `str(float)`: categorical bin keys (`"1.0"`), GEXF/GraphML weights (`"1e-05"`) and GML reals
//! (`1.E-05`). Rust's `Display` differs (`1`, `0.00001`), so these helpers reproduce Python.

/// `repr(x)` / `str(x)` of a Python float: the shortest round-trip digits, positional notation
/// for decimal exponents −4 ≤ e < 16 (always with a fractional part, `1.0`), scientific notation
/// otherwise with a signed two-digit exponent (`1e-05`, `1.5e+16`); `nan`, `inf`, `-inf`.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    // `{:e}` prints the shortest round-trip digits, e.g. "-1.2345e-5" or "0e0".
    let sci = format!("{x:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exponent) {
        // Position of the decimal point relative to the first digit.
        let point = exponent + 1;
        if point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
            out.push_str(&digits);
        } else {
            let point = point as usize;
            if point >= digits.len() {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', point - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..point]);
                out.push('.');
                out.push_str(&digits[point..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exponent.unsigned_abs()));
    }
    out
}

/// A GML real as networkx writes it: `repr` upper-cased, with a `.` forced into the mantissa
/// (GML requires one: `1.E-05`), `+INF`/`-INF` and `NAN`.
pub fn gml_real(x: f64) -> String {
    if x.is_nan() {
        return "NAN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+INF" } else { "-INF" }.to_string();
    }
    let text = float_repr(x).to_uppercase();
    match text.split_once('E') {
        Some((mantissa, exponent)) if !mantissa.contains('.') => format!("{mantissa}.E{exponent}"),
        _ => text,
    }
}

/// A float for an XML attribute or element: Python's text for finite values, XML Schema's
/// `NaN`/`INF`/`-INF` otherwise (Python writes `nan`, which XML readers other than Python reject).
pub fn xml_float(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "INF" } else { "-INF" }.to_string()
    } else {
        float_repr(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        // Expected strings are `repr(x)` in CPython 3.11.
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-2.25, "-2.25"),
            (0.1, "0.1"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234567e17, "1.2345678901234566e+17"),
            (123.456, "123.456"),
            (-0.5737941772677, "-0.5737941772677"),
            (1e300, "1e+300"),
            (5e-324, "5e-324"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for &(x, expected) in cases {
            assert_eq!(float_repr(x), expected, "repr({x:e})");
        }
    }

    #[test]
    fn gml_real_matches_networkx() {
        // networkx's generate_gml: repr(x).upper(), "." inserted before "E" when missing.
        assert_eq!(gml_real(1e-5), "1.E-05");
        assert_eq!(gml_real(1.5e20), "1.5E+20");
        assert_eq!(gml_real(0.5), "0.5");
        assert_eq!(gml_real(f64::INFINITY), "+INF");
        assert_eq!(gml_real(f64::NEG_INFINITY), "-INF");
        assert_eq!(gml_real(f64::NAN), "NAN");
    }

    #[test]
    fn xml_float_uses_schema_special_values() {
        assert_eq!(xml_float(1e-5), "1e-05");
        assert_eq!(xml_float(f64::NAN), "NaN");
        assert_eq!(xml_float(f64::NEG_INFINITY), "-INF");
    }
}
