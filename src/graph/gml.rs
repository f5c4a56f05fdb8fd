//! GML import for ground-truth uploads (api.md §3.9).
//!
//! MPCSL reads uploads with networkx's `read_gml`, first keyed by the nodes' `label` attribute and,
//! if that fails, by `name` (what igraph writes). This parser accepts the same language: `key value`
//! pairs where a value is an integer, a real (`1.5`, `1.E-05`, `+INF`, `NAN`), a quoted string with
//! HTML character references (`&quot;`, `&#34;`) or a nested `[ … ]` list; `#` starts a comment.
//! Top-level keys other than `graph` (igraph's `Creator`, `Version`) are ignored.
//!
//! It also reproduces what networkx decides about the graph: `directed` and `multigraph` are
//! truthiness flags, node ids and labels must be unique, edges must reference declared ids, and a
//! simple graph rejects duplicate edges. Edges come out in networkx's iteration order; for an
//! undirected graph each edge appears once, oriented from the endpoint whose node was declared
//! first (§3.9 step 5).

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::pyfmt::float_repr;

/// A parsed GML graph: node keys (the `label` or `name` attribute) and edges between them.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedGraph {
    pub directed: bool,
    /// Node keys in declaration order.
    pub nodes: Vec<String>,
    /// (from key, to key) pairs. Edge attributes such as `weight` are not kept (§3.9 ignores them).
    pub edges: Vec<(String, String)>,
}

/// Why a GML text was rejected, with the 1-based line where that was noticed when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GmlError {
    pub line: Option<usize>,
    pub message: String,
}

impl GmlError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        Self { line: Some(line), message: message.into() }
    }

    fn general(message: impl Into<String>) -> Self {
        Self { line: None, message: message.into() }
    }
}

impl fmt::Display for GmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for GmlError {}

/// Parses a GML document, keying nodes by `label`, or by `name` when that fails (§3.9 step 2).
pub fn parse_gml(text: &str) -> Result<ParsedGraph, GmlError> {
    let tree = parse_tree(text)?;
    let graph = find_graph(&tree)?;
    let by_label = match build(graph, "label") {
        Ok(parsed) => return Ok(parsed),
        Err(e) => e,
    };
    match build(graph, "name") {
        Ok(parsed) => Ok(parsed),
        Err(by_name) => Err(match (by_label, by_name) {
            (BuildError::MissingKey { node, line, .. }, BuildError::MissingKey { .. }) => {
                GmlError::at(line, format!("node #{node} has neither a 'label' nor a 'name' attribute"))
            }
            // Labels are absent, so the `name` attempt says what is wrong.
            (BuildError::MissingKey { .. }, other) => other.into_error(),
            (other, _) => other.into_error(),
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer

/// Nesting deeper than this is rejected rather than risking the stack on hostile input; real
/// files nest three levels (`graph [ node [ graphics [`).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Key(String),
    Int(i128),
    Real(f64),
    Str(String),
    Open,
    Close,
    Eof,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Key(k) => write!(f, "'{k}'"),
            Tok::Int(i) => write!(f, "{i}"),
            Tok::Real(x) => write!(f, "{}", float_repr(*x)),
            Tok::Str(s) => write!(f, "\"{s}\""),
            Tok::Open => f.write_str("'['"),
            Tok::Close => f.write_str("']'"),
            Tok::Eof => f.write_str("end of input"),
        }
    }
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Self {
        // A UTF-8 byte-order mark is not GML; editors add it.
        let src = src.strip_prefix('\u{feff}').unwrap_or(src);
        Self { src, pos: 0, line: 1 }
    }

    fn peek_byte(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    /// The next token and the line it starts on.
    fn next(&mut self) -> Result<(Tok, usize), GmlError> {
        self.skip_blanks();
        let line = self.line;
        let Some(b) = self.peek_byte() else { return Ok((Tok::Eof, line)) };
        let tok = match b {
            b'[' => {
                self.pos += 1;
                Tok::Open
            }
            b']' => {
                self.pos += 1;
                Tok::Close
            }
            b'"' => self.string()?,
            b if b.is_ascii_alphabetic() || b == b'_' => Tok::Key(self.word().to_string()),
            b if b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.') => self.number()?,
            _ => {
                let c = self.src[self.pos..].chars().next().unwrap_or('?');
                return Err(GmlError::at(line, format!("unexpected character {c:?}")));
            }
        };
        Ok((tok, line))
    }

    fn skip_blanks(&mut self) {
        while let Some(b) = self.peek_byte() {
            match b {
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                b if b.is_ascii_whitespace() => self.pos += 1,
                b'#' => {
                    while self.peek_byte().is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn word(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek_byte().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    fn string(&mut self) -> Result<Tok, GmlError> {
        let start_line = self.line;
        let start = self.pos + 1;
        // GML strings cannot contain '"' (it is written as a character reference), so the
        // string ends at the next quote, as in networkx.
        let Some(len) = self.src[start..].find('"') else {
            return Err(GmlError::at(start_line, "unterminated string"));
        };
        let raw = &self.src[start..start + len];
        self.line += raw.matches('\n').count();
        self.pos = start + len + 1;
        Ok(Tok::Str(unescape(raw)))
    }

    fn number(&mut self) -> Result<Tok, GmlError> {
        let line = self.line;
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut end = start;
        if matches!(bytes.get(end), Some(b'+' | b'-')) {
            end += 1;
        }
        if self.src[end..].starts_with("INF") {
            self.pos = end + 3;
            let negative = bytes[start] == b'-';
            return Ok(Tok::Real(if negative { f64::NEG_INFINITY } else { f64::INFINITY }));
        }
        let digits_start = end;
        while bytes.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        let mut real = false;
        if bytes.get(end) == Some(&b'.') {
            real = true;
            end += 1;
            while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
        }
        let has_digits = self.src[digits_start..end].bytes().any(|b| b.is_ascii_digit());
        if !has_digits {
            return Err(GmlError::at(
                line,
                format!("malformed number {:?}", &self.src[start..end.max(start + 1)]),
            ));
        }
        // An exponent only counts when digits follow it; otherwise the letter starts a key.
        if matches!(bytes.get(end), Some(b'e' | b'E')) {
            let mut exp_end = end + 1;
            if matches!(bytes.get(exp_end), Some(b'+' | b'-')) {
                exp_end += 1;
            }
            if bytes.get(exp_end).is_some_and(u8::is_ascii_digit) {
                while bytes.get(exp_end).is_some_and(u8::is_ascii_digit) {
                    exp_end += 1;
                }
                real = true;
                end = exp_end;
            }
        }
        self.pos = end;
        let text = &self.src[start..end];
        if real {
            text.parse::<f64>()
                .map(Tok::Real)
                .map_err(|_| GmlError::at(line, format!("malformed number {text:?}")))
        } else {
            text.parse::<i128>()
                .map(Tok::Int)
                .map_err(|_| GmlError::at(line, format!("integer {text} is too large")))
        }
    }
}

/// Decodes HTML character references, the escape mechanism of GML strings (networkx applies
/// `html.unescape`, igraph writes `&quot;`/`&amp;`). Unknown references are kept verbatim.
fn unescape(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&semi| semi <= 12).and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let code =
                        if let Some(hex) = entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                            u32::from_str_radix(hex, 16).ok()
                        } else {
                            entity.strip_prefix('#').and_then(|dec| dec.parse::<u32>().ok())
                        };
                    code.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// Syntax tree

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(i128),
    Real(f64),
    Str(String),
    List(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: String,
    value: Value,
    line: usize,
}

fn parse_tree(text: &str) -> Result<Vec<Entry>, GmlError> {
    let mut lexer = Lexer::new(text);
    parse_entries(&mut lexer, None, 0)
}

/// Parses `key value` pairs up to the end of input (`opened_at` = None) or up to the `]` that
/// closes the list opened on line `opened_at`.
fn parse_entries(
    lexer: &mut Lexer<'_>,
    opened_at: Option<usize>,
    depth: usize,
) -> Result<Vec<Entry>, GmlError> {
    let mut entries = Vec::new();
    loop {
        let (tok, line) = lexer.next()?;
        let key = match tok {
            Tok::Key(key) => key,
            Tok::Close if opened_at.is_some() => return Ok(entries),
            Tok::Eof => {
                return match opened_at {
                    None => Ok(entries),
                    Some(open) => {
                        Err(GmlError::at(line, format!("missing ']' for the list opened on line {open}")))
                    }
                };
            }
            other => return Err(GmlError::at(line, format!("expected a key, found {other}"))),
        };
        let (tok, value_line) = lexer.next()?;
        let value = match tok {
            Tok::Int(i) => Value::Int(i),
            Tok::Real(x) => Value::Real(x),
            Tok::Str(s) => Value::Str(s),
            Tok::Open if depth + 1 >= MAX_DEPTH => {
                return Err(GmlError::at(value_line, "lists are nested too deeply"));
            }
            Tok::Open => Value::List(parse_entries(lexer, Some(value_line), depth + 1)?),
            // networkx accepts bare words for these keys and the special reals NAN and INF.
            Tok::Key(word) if matches!(key.as_str(), "id" | "label" | "source" | "target") => {
                Value::Str(word)
            }
            Tok::Key(word) if word == "NAN" => Value::Real(f64::NAN),
            Tok::Key(word) if word == "INF" => Value::Real(f64::INFINITY),
            other => {
                return Err(GmlError::at(
                    value_line,
                    format!("expected an int, float, string or '[' after '{key}', found {other}"),
                ));
            }
        };
        entries.push(Entry { key, value, line });
    }
}

fn find_graph(tree: &[Entry]) -> Result<&Entry, GmlError> {
    let mut graphs = tree.iter().filter(|e| e.key == "graph");
    let graph = graphs.next().ok_or_else(|| GmlError::general("input contains no graph"))?;
    if let Some(second) = graphs.next() {
        return Err(GmlError::at(second.line, "input contains more than one graph"));
    }
    match graph.value {
        Value::List(_) => Ok(graph),
        _ => Err(GmlError::at(graph.line, "'graph' must be a list '[ … ]'")),
    }
}

// ---------------------------------------------------------------------------------------------
// Graph construction

enum BuildError {
    /// Node #`node` (declared on `line`) lacks the key attribute.
    MissingKey {
        node: usize,
        line: usize,
    },
    Invalid(GmlError),
}

impl BuildError {
    fn into_error(self) -> GmlError {
        match self {
            BuildError::MissingKey { node, line } => {
                GmlError::at(line, format!("node #{node} has no key attribute"))
            }
            BuildError::Invalid(e) => e,
        }
    }
}

impl From<GmlError> for BuildError {
    fn from(e: GmlError) -> Self {
        BuildError::Invalid(e)
    }
}

/// A node id as networkx compares them: integral reals equal integers (Python's `1.0 == 1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum IdKey {
    Int(i128),
    Real(u64),
    Str(String),
}

impl fmt::Display for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdKey::Int(i) => write!(f, "{i}"),
            IdKey::Real(bits) => f.write_str(&float_repr(f64::from_bits(*bits))),
            IdKey::Str(s) => write!(f, "{s:?}"),
        }
    }
}

fn id_key(value: &Value) -> Option<IdKey> {
    Some(match value {
        Value::Int(i) => IdKey::Int(*i),
        Value::Real(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e38 => IdKey::Int(*x as i128),
        Value::Real(x) => IdKey::Real(x.to_bits()),
        Value::Str(s) => IdKey::Str(s.clone()),
        Value::List(_) => return None,
    })
}

/// The text of a scalar label: strings as they are, numbers as Python prints them.
fn label_text(value: &Value) -> Option<String> {
    match value {
        Value::Int(i) => Some(i.to_string()),
        Value::Real(x) => Some(float_repr(*x)),
        Value::Str(s) => Some(s.clone()),
        Value::List(_) => None,
    }
}

fn list_of(entry: &Entry) -> &[Entry] {
    match &entry.value {
        Value::List(entries) => entries,
        _ => &[],
    }
}

/// Python truthiness of a flag such as `directed`: a repeated key is a non-empty list.
fn flag(entries: &[Entry], key: &str) -> bool {
    let mut values = entries.iter().filter(|e| e.key == key);
    match (values.next(), values.next()) {
        (None, _) => false,
        (Some(_), Some(_)) => true,
        (Some(e), None) => match &e.value {
            Value::Int(i) => *i != 0,
            Value::Real(x) => *x != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
        },
    }
}

/// The single value of `key` in an element; `Ok(None)` when absent.
fn attribute<'e>(
    entries: &'e [Entry],
    key: &str,
    what: &str,
    index: usize,
    line: usize,
) -> Result<Option<&'e Value>, GmlError> {
    let mut values = entries.iter().filter(|e| e.key == key);
    match (values.next(), values.next()) {
        (None, _) => Ok(None),
        (Some(first), None) => Ok(Some(&first.value)),
        (Some(_), Some(second)) => {
            Err(GmlError::at(second.line, format!("{what} #{index} (line {line}) has more than one '{key}'")))
        }
    }
}

fn build(graph: &Entry, key_attr: &str) -> Result<ParsedGraph, BuildError> {
    let body = list_of(graph);
    let directed = flag(body, "directed");
    let multigraph = flag(body, "multigraph");

    let mut index_of: HashMap<IdKey, usize> = HashMap::new();
    let mut labels: Vec<String> = Vec::new();
    let mut seen_labels: HashSet<String> = HashSet::new();
    for (i, node) in body.iter().filter(|e| e.key == "node").enumerate() {
        let Value::List(attrs) = &node.value else {
            return Err(GmlError::at(node.line, format!("node #{i} must be a list '[ … ]'")).into());
        };
        let id = attribute(attrs, "id", "node", i, node.line)?
            .ok_or_else(|| GmlError::at(node.line, format!("node #{i} has no 'id' attribute")))?;
        let id =
            id_key(id).ok_or_else(|| GmlError::at(node.line, format!("node #{i} has a list as its id")))?;
        if index_of.contains_key(&id) {
            return Err(GmlError::at(node.line, format!("node id {id} is duplicated")).into());
        }
        let label = attribute(attrs, key_attr, "node", i, node.line)?
            .ok_or(BuildError::MissingKey { node: i, line: node.line })?;
        let label = label_text(label)
            .ok_or_else(|| GmlError::at(node.line, format!("node #{i} has a list as its '{key_attr}'")))?;
        if !seen_labels.insert(label.clone()) {
            return Err(GmlError::at(node.line, format!("node {key_attr} {label:?} is duplicated")).into());
        }
        index_of.insert(id, labels.len());
        labels.push(label);
    }

    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut seen_edges: HashSet<(usize, usize)> = HashSet::new();
    for (i, edge) in body.iter().filter(|e| e.key == "edge").enumerate() {
        let Value::List(attrs) = &edge.value else {
            return Err(GmlError::at(edge.line, format!("edge #{i} must be a list '[ … ]'")).into());
        };
        let endpoint = |attr: &str| -> Result<usize, GmlError> {
            let value = attribute(attrs, attr, "edge", i, edge.line)?
                .ok_or_else(|| GmlError::at(edge.line, format!("edge #{i} has no '{attr}' attribute")))?;
            let id = id_key(value)
                .ok_or_else(|| GmlError::at(edge.line, format!("edge #{i} has a list as its '{attr}'")))?;
            index_of
                .get(&id)
                .copied()
                .ok_or_else(|| GmlError::at(edge.line, format!("edge #{i} has undefined {attr} {id}")))
        };
        let source = endpoint("source")?;
        let target = endpoint("target")?;
        let key = if directed { (source, target) } else { (source.min(target), source.max(target)) };
        if !multigraph && !seen_edges.insert(key) {
            let arrow = if directed { "->" } else { "--" };
            let message = format!("edge #{i} ({}{arrow}{}) is duplicated", labels[source], labels[target]);
            return Err(GmlError::at(edge.line, message).into());
        }
        edges.push((source, target));
    }

    // networkx builds the graph by id, then `relabel_nodes` copies it edge by edge in iteration
    // order into a new graph, which is iterated again by the caller: two passes.
    let edges = networkx_edge_order(labels.len(), &edges, directed);
    let edges = networkx_edge_order(labels.len(), &edges, directed);
    let edges = edges.into_iter().map(|(u, v)| (labels[u].clone(), labels[v].clone())).collect();
    Ok(ParsedGraph { directed, nodes: labels, edges })
}

/// The order in which networkx's `G.edges` yields the edges after adding `edges` in order to a
/// graph over nodes `0..n`: by first endpoint in node order, then by the order its neighbours
/// were first added. Undirected edges are yielded once, from the endpoint that comes first.
fn networkx_edge_order(n: usize, edges: &[(usize, usize)], directed: bool) -> Vec<(usize, usize)> {
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut multiplicity: HashMap<(usize, usize), usize> = HashMap::with_capacity(edges.len());
    let key = |u: usize, v: usize| if directed { (u, v) } else { (u.min(v), u.max(v)) };
    for &(u, v) in edges {
        let count = multiplicity.entry(key(u, v)).or_insert(0);
        if *count == 0 {
            neighbours[u].push(v);
            if !directed && u != v {
                neighbours[v].push(u);
            }
        }
        *count += 1;
    }
    let mut out = Vec::with_capacity(edges.len());
    let mut done = vec![false; n];
    for u in 0..n {
        for &v in &neighbours[u] {
            if directed || !done[v] {
                let count = multiplicity.get(&key(u, v)).copied().unwrap_or(0);
                out.extend(std::iter::repeat_n((u, v), count));
            }
        }
        done[u] = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn parses_networkx_style_labels() {
        let text = "graph [ directed 1 node [ id 0 label \"A\" ] node [ id 1 label \"B\" ]\n\
                    edge [ source 0 target 1 weight 0.5 ] ]";
        let g = parse_gml(text).expect("valid GML");
        assert!(g.directed);
        assert_eq!(g.nodes, vec!["A", "B"]);
        assert_eq!(g.edges, edges(&[("A", "B")]));
    }

    #[test]
    fn falls_back_to_igraph_names() {
        // Shortened copy of the igraph fixture: Creator/Version header, `name` but no `label`.
        let text = r#"Creator "igraph version 1.2.6 Thu Dec  3 18:06:33 2020"
Version 1
graph
[
  directed 1
  node
  [
    id 0
    name "1"
  ]
  node
  [
    id 1
    name "2"
  ]
  node
  [
    id 2
    name "3"
  ]
  edge
  [
    source 0
    target 2
    weight -0.5737941772677
  ]
  edge
  [
    source 1
    target 2
    weight -0.695098735857755
  ]
]
"#;
        let g = parse_gml(text).expect("igraph GML");
        assert!(g.directed);
        assert_eq!(g.nodes, vec!["1", "2", "3"]);
        assert_eq!(g.edges, edges(&[("1", "3"), ("2", "3")]));
    }

    #[test]
    fn undirected_edges_point_away_from_the_node_declared_first() {
        // The earthquake ground truth has no `directed 1`. Its edges are written source→target in
        // the causal direction, which here is also the declaration order. The extra edge
        // `source 5 target 1` (MaryCalls, Burglary) is stored Burglary→MaryCalls because Burglary
        // (id 1) is declared before MaryCalls (id 5), and networkx lists it with Burglary's edges.
        let text = r#"graph
[
  node [ id 1 label "Burglary" ]
  node [ id 2 label "Earthquake" ]
  node [ id 3 label "Alarm" ]
  node [ id 4 label "JohnCalls" ]
  node [ id 5 label "MaryCalls" ]
  edge [ source 1 target 3 ]
  edge [ source 2 target 3 ]
  edge [ source 3 target 4 ]
  edge [ source 3 target 5 ]
  edge [ source 5 target 1 ]
]"#;
        let g = parse_gml(text).expect("earthquake GML");
        assert!(!g.directed);
        assert_eq!(
            g.edges,
            edges(&[
                ("Burglary", "Alarm"),
                ("Burglary", "MaryCalls"),
                ("Earthquake", "Alarm"),
                ("Alarm", "JohnCalls"),
                ("Alarm", "MaryCalls"),
            ])
        );
    }

    #[test]
    fn directed_edges_follow_networkx_iteration_order() {
        // networkx yields edges grouped by source node in node order: C→A is listed first in the
        // file but C is declared last.
        let text = r#"graph [ directed 1
  node [ id 0 label "A" ] node [ id 1 label "B" ] node [ id 2 label "C" ]
  edge [ source 2 target 0 ] edge [ source 0 target 2 ] edge [ source 0 target 1 ] ]"#;
        let g = parse_gml(text).expect("valid");
        assert_eq!(g.edges, edges(&[("A", "C"), ("A", "B"), ("C", "A")]));
    }

    #[test]
    fn strings_comments_and_special_reals() {
        let text = "# a comment\ngraph [ # trailing comment\n directed 1 \
                    node [ id 0 label \"a &quot;quoted&quot; &amp; &#233;t&#xE9; &bogus; name\" ]\n\
                    node [ id 1.0 label \"b\" weight NAN ]\n\
                    edge [ source 0 target 1 weight -INF ]\n\
                    edge [ source 1 target 0 weight 1.E-05 graphics [ w 1 ] ] ]";
        let g = parse_gml(text).expect("valid");
        assert_eq!(g.nodes[0], "a \"quoted\" & été &bogus; name");
        // Id 1.0 equals 1 as in Python, so the edges resolve.
        assert_eq!(g.edges, edges(&[(&g.nodes[0], "b"), ("b", &g.nodes[0])]));
    }

    #[test]
    fn bare_words_and_numbers_as_ids_and_labels() {
        // networkx accepts unquoted words for id/label/source/target; numeric labels become
        // their Python text.
        let text = "graph [ node [ id a label x ] node [ id b label 2.5 ] node [ id c label 7 ]\
                    edge [ source a target b ] ]";
        let g = parse_gml(text).expect("valid");
        assert_eq!(g.nodes, vec!["x", "2.5", "7"]);
        assert_eq!(g.edges, edges(&[("x", "2.5")]));
    }

    #[test]
    fn multigraph_keeps_duplicate_edges() {
        let text = "graph [ directed 1 multigraph 1 node [ id 0 label \"a\" ] node [ id 1 label \"b\" ]\
                    edge [ source 0 target 1 ] edge [ source 0 target 1 ] ]";
        assert_eq!(parse_gml(text).expect("valid").edges.len(), 2);
    }

    fn error_of(text: &str) -> GmlError {
        parse_gml(text).expect_err("invalid GML")
    }

    #[test]
    fn rejects_invalid_input_with_line_numbers() {
        // The fixture invalid.gml: plain words, so the value after key `some` is another key.
        let e = error_of("some invalid gml file");
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("after 'some'"), "{e}");

        assert_eq!(error_of("").message, "input contains no graph");
        assert_eq!(error_of("Creator \"x\"").message, "input contains no graph");
        let e = error_of("graph [ ] graph [ ]");
        assert_eq!(e.message, "input contains more than one graph");

        let e = error_of("graph [\n node [ id 0 label \"a\" ]\n");
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("missing ']'") && e.message.contains("line 1"), "{e}");

        let e = error_of("graph [\n\n node [ id 0 label \"a ]\n]");
        assert_eq!((e.line, e.message.as_str()), (Some(3), "unterminated string"));

        let e = error_of("graph [ node [ id 0 label \"a\" ] ]\n]");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("expected a key"), "{e}");

        let e = error_of("graph [ node [ id 0 label \"a\" ] @ ]");
        assert!(e.message.contains("unexpected character '@'"), "{e}");

        let deep = format!("graph {} {}", "[ a ".repeat(100), "]".repeat(100));
        assert!(error_of(&deep).message.contains("nested too deeply"));
    }

    #[test]
    fn rejects_graphs_networkx_rejects() {
        let e = error_of("graph [ node [ id 0 ] ]");
        assert_eq!(e.message, "node #0 has neither a 'label' nor a 'name' attribute");

        let e = error_of("graph [ node [ label \"a\" ] ]");
        assert_eq!(e.message, "node #0 has no 'id' attribute");

        let e = error_of("graph [ node [ id 0 label \"a\" ] node [ id 0 label \"b\" ] ]");
        assert_eq!(e.message, "node id 0 is duplicated");

        // Duplicate labels fail the `label` attempt; without names the `name` attempt fails on
        // the missing attribute and the label error is the one reported.
        let e = error_of("graph [ node [ id 0 label \"a\" ] node [ id 1 label \"a\" ] ]");
        assert_eq!(e.message, "node label \"a\" is duplicated");

        let e = error_of("graph [\n node [ id 0 label \"a\" ]\n edge [ source 0 target 9 ] ]");
        assert_eq!((e.line, e.message.as_str()), (Some(3), "edge #0 has undefined target 9"));

        let e = error_of(
            "graph [ node [ id 0 label \"a\" ] node [ id 1 label \"b\" ]\
                          edge [ source 0 target 1 ] edge [ source 1 target 0 ] ]",
        );
        assert_eq!(e.message, "edge #1 (b--a) is duplicated");
    }

    #[test]
    fn names_rescue_duplicate_labels() {
        // The `label` attempt fails (duplicate label), the `name` attempt succeeds.
        let text = "graph [ node [ id 0 label \"x\" name \"a\" ] node [ id 1 label \"x\" name \"b\" ] ]";
        assert_eq!(parse_gml(text).expect("valid").nodes, vec!["a", "b"]);
    }

    #[test]
    fn unescape_handles_references() {
        assert_eq!(unescape("a&amp;b&lt;&gt;&apos;&#65;&#x42;"), "a&b<>'AB");
        assert_eq!(unescape("fish & chips"), "fish & chips");
        assert_eq!(unescape("&#99999999;"), "&#99999999;");
    }
}
