//! The dataset as the executor sees it: the CSV of `GET /api/dataset/<id>/loadwithids` parsed
//! into numeric columns keyed by node id, plus the optional row sampling of the contract (§2).

use std::borrow::Cow;

use anyhow::{Context, Result, bail};

use crate::rng::SplitMix64;

/// Column-major numeric data. `node_ids[i]` is the backend node id of `columns[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub node_ids: Vec<i64>,
    pub columns: Vec<Vec<f64>>,
    /// Rows dropped because they held a NULL (empty field).
    pub dropped_rows: usize,
}

impl Dataset {
    pub fn from_columns(node_ids: Vec<i64>, columns: Vec<Vec<f64>>) -> Result<Self> {
        if node_ids.len() != columns.len() {
            bail!("{} node ids for {} columns", node_ids.len(), columns.len());
        }
        if let Some(first) = columns.first()
            && columns.iter().any(|c| c.len() != first.len())
        {
            bail!("columns have different lengths");
        }
        Ok(Self { node_ids, columns, dropped_rows: 0 })
    }

    pub fn n_vars(&self) -> usize {
        self.columns.len()
    }

    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, Vec::len)
    }

    /// Keeps `⌊n · factor⌋` rows: the first ones for `Top`, a uniform random subset (in original
    /// order) for `Random`. A factor ≥ 1 keeps everything.
    pub fn sample(&mut self, factor: f64, method: SamplingMethod, seed: u64) {
        let n = self.n_rows();
        if factor >= 1.0 || n == 0 {
            return;
        }
        let keep = ((n as f64) * factor.max(0.0)).floor() as usize;
        let rows: Vec<usize> = match method {
            SamplingMethod::Top => (0..keep).collect(),
            SamplingMethod::Random => {
                // Partial Fisher–Yates, then sort so the kept rows stay in file order.
                let mut idx: Vec<usize> = (0..n).collect();
                let mut rng = SplitMix64::new(seed);
                for i in 0..keep {
                    let j = i + rng.below(n - i);
                    idx.swap(i, j);
                }
                idx.truncate(keep);
                idx.sort_unstable();
                idx
            }
        };
        for col in &mut self.columns {
            *col = rows.iter().map(|&r| col[r]).collect();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplingMethod {
    Random,
    Top,
}

/// Parses the backend's CSV (api.md §3.7): comma separated, CRLF or LF line ends, quoting only
/// where needed, NULL as an empty field, booleans as `True`/`False`. The header must hold the
/// node ids. Rows with a NULL are dropped (complete-case analysis, as the CI tests need it).
pub fn parse_csv(text: &str) -> Result<Dataset> {
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let header = lines.next().filter(|h| !h.trim().is_empty()).context("the dataset CSV is empty")?;
    let node_ids = split_fields(header)
        .iter()
        .map(|f| {
            let f = f.trim();
            f.parse::<i64>().with_context(|| format!("header field {f:?} is not a node id"))
        })
        .collect::<Result<Vec<_>>>()?;
    let width = node_ids.len();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); width];
    let mut dropped_rows = 0;
    let mut row = Vec::with_capacity(width);
    for (line_no, line) in lines.enumerate() {
        if line.is_empty() {
            continue; // trailing line end
        }
        let fields = split_fields(line);
        if fields.len() != width {
            bail!("CSV line {} has {} fields, the header has {width}", line_no + 2, fields.len());
        }
        row.clear();
        let mut complete = true;
        for (col, field) in fields.iter().enumerate() {
            match parse_value(field) {
                Some(Some(v)) => row.push(v),
                Some(None) => complete = false,
                None => bail!(
                    "CSV line {}, column {} (node {}): {field:?} is not numeric",
                    line_no + 2,
                    col + 1,
                    node_ids[col]
                ),
            }
        }
        if complete {
            for (c, v) in columns.iter_mut().zip(&row) {
                c.push(*v);
            }
        } else {
            dropped_rows += 1;
        }
    }
    Ok(Dataset { node_ids, columns, dropped_rows })
}

/// `Some(None)` for NULL, `None` for text that is not a number.
fn parse_value(field: &str) -> Option<Option<f64>> {
    let f = field.trim();
    match f {
        "" => Some(None),
        "True" | "true" => Some(Some(1.0)),
        "False" | "false" => Some(Some(0.0)),
        _ => f.parse::<f64>().ok().filter(|v| !v.is_nan()).map(Some),
    }
}

/// Splits one CSV line, honouring `"..."` quoting with `""` escapes. Lines without quotes (all
/// data lines in practice) take a borrowing fast path.
fn split_fields(line: &str) -> Vec<Cow<'_, str>> {
    if !line.contains('"') {
        return line.split(',').map(Cow::Borrowed).collect();
    }
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, in_quotes) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => in_quotes = !in_quotes,
            (',', false) => fields.push(Cow::Owned(std::mem::take(&mut cur))),
            _ => cur.push(c),
        }
    }
    fields.push(Cow::Owned(cur));
    fields
}

/// Maps each column to category codes `0..k` in ascending order of its distinct values (as
/// `np.unique(..., return_inverse=True)` does in causal-learn). Returns codes and cardinalities.
pub fn discretize(columns: &[Vec<f64>]) -> (Vec<Vec<u32>>, Vec<u32>) {
    let mut codes = Vec::with_capacity(columns.len());
    let mut cards = Vec::with_capacity(columns.len());
    for col in columns {
        let mut distinct = col.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let coded = col
            .iter()
            .map(|v| distinct.binary_search_by(|d| d.total_cmp(v)).expect("value present") as u32)
            .collect();
        codes.push(coded);
        cards.push(distinct.len() as u32);
    }
    (codes, cards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_backend_csv_with_nulls_and_booleans() {
        let csv = "\"11\",12,13\r\n1.5,True,3\r\n,0,1\r\n2,False,-1e-3\r\n";
        let d = parse_csv(csv).unwrap();
        assert_eq!(d.node_ids, vec![11, 12, 13]);
        assert_eq!(d.columns, vec![vec![1.5, 2.0], vec![1.0, 0.0], vec![3.0, -0.001]]);
        assert_eq!(d.dropped_rows, 1);
        assert_eq!(d.n_rows(), 2);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse_csv("").is_err());
        assert!(parse_csv("a,b\n1,2\n").is_err());
        assert!(parse_csv("1,2\n1\n").is_err());
        assert!(parse_csv("1,2\n1,x\n").is_err());
        assert_eq!(split_fields("\"a,b\",\"c\"\"d\",e"), vec!["a,b", "c\"d", "e"]);
    }

    #[test]
    fn sampling_keeps_floor_of_fraction() {
        let col: Vec<f64> = (0..10).map(f64::from).collect();
        let mut d = Dataset::from_columns(vec![1], vec![col.clone()]).unwrap();
        d.sample(0.35, SamplingMethod::Top, 0);
        assert_eq!(d.columns[0], vec![0.0, 1.0, 2.0]);
        let mut d = Dataset::from_columns(vec![1], vec![col]).unwrap();
        d.sample(0.5, SamplingMethod::Random, 42);
        assert_eq!(d.n_rows(), 5);
        assert!(d.columns[0].windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn discretize_codes_sorted_distinct_values() {
        let (codes, cards) = discretize(&[vec![3.0, -1.0, 3.0, 7.5], vec![0.0, 0.0, 0.0, 0.0]]);
        assert_eq!(codes, vec![vec![1, 0, 1, 2], vec![0, 0, 0, 0]]);
        assert_eq!(cards, vec![3, 1]);
    }
}
