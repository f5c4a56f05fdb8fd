//! Graph export in the four formats of api.md §3.10 and §6.7: GEXF 1.2draft, GraphML, GML and
//! networkx's node-link JSON, as networkx writes them for MPCSL's graph.
//!
//! Deviations from MPCSL are the fixes the spec asks for: a null weight is written as an absent
//! attribute in every format (MPCSL writes `None` in GEXF and fails in GraphML/GML), and the GEXF
//! `<meta>` carries no modification date, so the output depends on the graph alone.
//!
//! Every format writes the networkx view of the graph: vertices in [`Graph::node_ids`] order and
//! one edge per (from, to) in [`Graph::simple_edges`] order.

use std::fmt;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::pyfmt::{gml_real, xml_float};
use super::{Graph, GraphEdge};

/// The export formats; `format` query values are matched case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    Gexf,
    GraphMl,
    Gml,
    NodeLinkJson,
}

/// The `format` value was none of the supported names. `Display` gives the 400 message of §3.10.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedFormat {
    /// The requested value, lower-cased.
    pub requested: String,
}

impl fmt::Display for UnsupportedFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Graph format `{}` is not one of the supported types: ['GEXF', 'GraphML', 'GML', 'node_link_data.json']",
            self.requested
        )
    }
}

impl std::error::Error for UnsupportedFormat {}

impl ExportFormat {
    pub const ALL: [ExportFormat; 4] =
        [ExportFormat::Gexf, ExportFormat::GraphMl, ExportFormat::Gml, ExportFormat::NodeLinkJson];

    /// The `format` query argument: absent means GEXF; anything else is matched without regard to
    /// case. An empty value is a request for format `` and is rejected, as in MPCSL.
    pub fn from_query(value: Option<&str>) -> Result<Self, UnsupportedFormat> {
        let Some(value) = value else { return Ok(ExportFormat::Gexf) };
        let requested = value.to_lowercase();
        Self::ALL.into_iter().find(|f| f.extension() == requested).ok_or(UnsupportedFormat { requested })
    }

    /// The name as MPCSL lists it (`GEXF`, `GraphML`, `GML`, `node_link_data.json`).
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Gexf => "GEXF",
            ExportFormat::GraphMl => "GraphML",
            ExportFormat::Gml => "GML",
            ExportFormat::NodeLinkJson => "node_link_data.json",
        }
    }

    /// The lower-cased name, used as the file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Gexf => "gexf",
            ExportFormat::GraphMl => "graphml",
            ExportFormat::Gml => "gml",
            ExportFormat::NodeLinkJson => "node_link_data.json",
        }
    }

    /// The `Content-Type` header value: the formats' own media types rather than MPCSL's
    /// `text/xml` for both XML formats, so a client can tell them apart (docs/api.md).
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Gexf => "application/gexf+xml; charset=utf-8",
            ExportFormat::GraphMl => "application/graphml+xml; charset=utf-8",
            ExportFormat::Gml => "text/plain; charset=utf-8",
            ExportFormat::NodeLinkJson => "application/json",
        }
    }

    /// The `Content-Disposition` header value: `attachment;filename=Graph_<id>.<format>` (no space
    /// after the semicolon). `id` is the result id, or the dataset id for a ground truth.
    pub fn content_disposition(self, id: impl fmt::Display) -> String {
        format!("attachment;filename=Graph_{id}.{}", self.extension())
    }
}

/// Whether edges carry the `label` attribute: result graphs do (the annotation name, §6.7),
/// ground-truth graphs do not (§3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeLabels {
    Include,
    Omit,
}

/// The graph as a document in `format`.
pub fn export(graph: &Graph, format: ExportFormat, labels: EdgeLabels) -> String {
    match format {
        ExportFormat::Gexf => to_gexf(graph, labels),
        ExportFormat::GraphMl => to_graphml(graph, labels),
        ExportFormat::Gml => to_gml(graph, labels),
        ExportFormat::NodeLinkJson => to_node_link_json(graph, labels),
    }
}

/// A vertex as exported: id and label (an unlisted edge endpoint is labelled with its id, as
/// networkx's GEXF writer does for nodes without a label).
fn vertices(graph: &Graph) -> Vec<(i64, String)> {
    let labels = graph.node_labels();
    graph
        .node_ids()
        .into_iter()
        .map(|id| (id, labels.get(&id).map_or_else(|| id.to_string(), |l| l.to_string())))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// GEXF

/// GEXF 1.2draft as networkx's `write_gexf` produces it.
pub fn to_gexf(graph: &Graph, labels: EdgeLabels) -> String {
    let mut out = String::with_capacity(512 + graph.nodes.len() * 48 + graph.edges.len() * 80);
    out.push_str("<?xml version='1.0' encoding='utf-8'?>\n");
    out.push_str(
        "<gexf xmlns=\"http://www.gexf.net/1.2draft\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd\" version=\"1.2\">\n",
    );
    out.push_str("  <meta>\n    <creator>Causeway</creator>\n  </meta>\n");
    out.push_str("  <graph defaultedgetype=\"directed\" mode=\"static\"");
    push_attr(&mut out, "name", &graph.name);
    out.push_str(">\n    <nodes>\n");
    for (id, label) in vertices(graph) {
        out.push_str("      <node");
        push_attr(&mut out, "id", &id.to_string());
        push_attr(&mut out, "label", &label);
        out.push_str(" />\n");
    }
    out.push_str("    </nodes>\n    <edges>\n");
    for edge in graph.simple_edges() {
        out.push_str("      <edge");
        push_attr(&mut out, "source", &edge.from.to_string());
        push_attr(&mut out, "target", &edge.to.to_string());
        push_attr(&mut out, "id", &edge.id.to_string());
        if labels == EdgeLabels::Include {
            push_attr(&mut out, "label", &edge.label);
        }
        if let Some(weight) = edge.weight {
            push_attr(&mut out, "weight", &xml_float(weight));
        }
        out.push_str(" />\n");
    }
    out.push_str("    </edges>\n  </graph>\n</gexf>\n");
    out
}

// ---------------------------------------------------------------------------------------------
// GraphML

/// GraphML as networkx's `write_graphml` produces it: graph `id` as the `<graph id>`, `name`,
/// node `label` and edge `id`/`label`/`weight` as `<data>` with `<key>` declarations for the
/// attributes that occur (keys `d0`, `d1`, … in that order).
pub fn to_graphml(graph: &Graph, labels: EdgeLabels) -> String {
    let edges = graph.simple_edges();
    let vertices = vertices(graph);
    let with_labels = labels == EdgeLabels::Include && !edges.is_empty();
    let with_weights = edges.iter().any(|e| e.weight.is_some());

    // (attribute name, for, type) of each declared key, in networkx's first-use order.
    let mut keys: Vec<(&str, &str, &str)> = vec![("name", "graph", "string")];
    if !vertices.is_empty() {
        keys.push(("label", "node", "string"));
    }
    if !edges.is_empty() {
        keys.push(("id", "edge", "long"));
    }
    if with_labels {
        keys.push(("label", "edge", "string"));
    }
    if with_weights {
        keys.push(("weight", "edge", "double"));
    }
    let key_id = |name: &str, scope: &str| {
        let index = keys.iter().position(|&(n, s, _)| n == name && s == scope).unwrap_or(0);
        format!("d{index}")
    };

    let mut out = String::with_capacity(1024 + vertices.len() * 80 + edges.len() * 160);
    out.push_str("<?xml version='1.0' encoding='utf-8'?>\n");
    out.push_str(
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    for (index, (name, scope, ty)) in keys.iter().enumerate() {
        out.push_str("  <key");
        push_attr(&mut out, "id", &format!("d{index}"));
        push_attr(&mut out, "for", scope);
        push_attr(&mut out, "attr.name", name);
        push_attr(&mut out, "attr.type", ty);
        out.push_str(" />\n");
    }
    out.push_str("  <graph edgedefault=\"directed\"");
    push_attr(&mut out, "id", &graph.id);
    out.push_str(">\n");
    push_data(&mut out, 4, &key_id("name", "graph"), &graph.name);
    let label_key = key_id("label", "node");
    for (id, label) in &vertices {
        out.push_str("    <node");
        push_attr(&mut out, "id", &id.to_string());
        out.push_str(">\n");
        push_data(&mut out, 6, &label_key, label);
        out.push_str("    </node>\n");
    }
    let (id_key, edge_label_key, weight_key) =
        (key_id("id", "edge"), key_id("label", "edge"), key_id("weight", "edge"));
    for edge in &edges {
        out.push_str("    <edge");
        push_attr(&mut out, "source", &edge.from.to_string());
        push_attr(&mut out, "target", &edge.to.to_string());
        out.push_str(">\n");
        push_data(&mut out, 6, &id_key, &edge.id.to_string());
        if with_labels {
            push_data(&mut out, 6, &edge_label_key, &edge.label);
        }
        if let Some(weight) = edge.weight {
            push_data(&mut out, 6, &weight_key, &xml_float(weight));
        }
        out.push_str("    </edge>\n");
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

fn push_data(out: &mut String, indent: usize, key: &str, text: &str) {
    out.extend(std::iter::repeat_n(' ', indent));
    out.push_str("<data");
    push_attr(out, "key", key);
    out.push('>');
    push_escaped(out, text, false);
    out.push_str("</data>\n");
}

// ---------------------------------------------------------------------------------------------
// XML escaping

/// Appends ` name="value"` with the value escaped.
fn push_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    push_escaped(out, value, true);
    out.push('"');
}

/// Escapes markup characters. In attributes, quotes and whitespace control characters become
/// character references so that readers do not normalise them away. Characters that XML 1.0
/// cannot represent at all (other C0 controls, U+FFFE/U+FFFF) become U+FFFD, keeping the
/// document well-formed.
fn push_escaped(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// GML

/// GML as networkx's `write_gml` produces it (§6.7): `directed 1`, graph attributes `id` and
/// `name`, nodes renumbered `0…n−1` whose `label` is the original node id (the name is lost, as
/// in MPCSL), edges with `id`, `label` and `weight`.
pub fn to_gml(graph: &Graph, labels: EdgeLabels) -> String {
    let ids = graph.node_ids();
    let number: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let mut out = String::with_capacity(64 + ids.len() * 40 + graph.edges.len() * 80);
    out.push_str("graph [\n  directed 1\n");
    push_gml_string(&mut out, 1, "id", &graph.id);
    push_gml_string(&mut out, 1, "name", &graph.name);
    for (i, id) in ids.iter().enumerate() {
        let _ = write!(out, "  node [\n    id {i}\n");
        push_gml_string(&mut out, 2, "label", &id.to_string());
        out.push_str("  ]\n");
    }
    for edge in graph.simple_edges() {
        write_gml_edge(&mut out, edge, &number, labels);
    }
    out.push_str("]\n");
    out
}

fn write_gml_edge(
    out: &mut String,
    edge: &GraphEdge,
    number: &std::collections::HashMap<i64, usize>,
    labels: EdgeLabels,
) {
    let (Some(source), Some(target)) = (number.get(&edge.from), number.get(&edge.to)) else { return };
    let _ = write!(out, "  edge [\n    source {source}\n    target {target}\n    id {}\n", edge.id);
    if labels == EdgeLabels::Include {
        push_gml_string(out, 2, "label", &edge.label);
    }
    if let Some(weight) = edge.weight {
        let _ = writeln!(out, "    weight {}", gml_real(weight));
    }
    out.push_str("  ]\n");
}

/// `key "value"` with networkx's GML escaping: every character outside printable ASCII, and
/// `"` and `&`, becomes a decimal character reference.
fn push_gml_string(out: &mut String, level: usize, key: &str, value: &str) {
    out.extend(std::iter::repeat_n(' ', level * 2));
    out.push_str(key);
    out.push_str(" \"");
    for c in value.chars() {
        if (' '..='~').contains(&c) && c != '"' && c != '&' {
            out.push(c);
        } else {
            let _ = write!(out, "&#{};", c as u32);
        }
    }
    out.push_str("\"\n");
}

// ---------------------------------------------------------------------------------------------
// node-link JSON

/// networkx's `node_link_data` layout: `{"directed": true, "multigraph": false, "graph": {"id",
/// "name"}, "nodes": [{"label", "id"}…], "links": [{"id", "label", "weight", "source",
/// "target"}…]}`, with `weight` only when it is not null and `label` only for result graphs.
pub fn to_node_link_json(graph: &Graph, labels: EdgeLabels) -> String {
    let nodes: Vec<Value> =
        vertices(graph).into_iter().map(|(id, label)| json!({"label": label, "id": id})).collect();
    let links: Vec<Value> = graph
        .simple_edges()
        .into_iter()
        .map(|edge| {
            let mut link = Map::new();
            link.insert("id".into(), edge.id.into());
            if labels == EdgeLabels::Include {
                link.insert("label".into(), edge.label.clone().into());
            }
            if let Some(weight) = edge.weight {
                link.insert("weight".into(), weight.into());
            }
            link.insert("source".into(), edge.from.into());
            link.insert("target".into(), edge.to.into());
            Value::Object(link)
        })
        .collect();
    json!({
        "directed": true,
        "multigraph": false,
        "graph": {"id": graph.id, "name": graph.name},
        "nodes": nodes,
        "links": links,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::super::gml::parse_gml;
    use super::super::{GraphEdge, GraphNode};
    use super::*;

    fn sample() -> Graph {
        let nodes = vec![
            GraphNode { id: 10, label: "A&B <x>".into() },
            GraphNode { id: 11, label: "C \"quoted\" é".into() },
            GraphNode { id: 12, label: "D".into() },
        ];
        let edges = vec![
            GraphEdge { id: 5, from: 10, to: 11, weight: Some(0.5), label: "approved".into() },
            GraphEdge { id: 6, from: 11, to: 12, weight: Some(1e-5), label: String::new() },
            GraphEdge { id: 7, from: 12, to: 10, weight: None, label: "declined".into() },
        ];
        Graph::for_result(2, nodes, edges)
    }

    /// A minimal XML well-formedness check: every start tag is closed in order, attributes are
    /// quoted, and the only references are the five predefined entities and numeric ones.
    fn assert_well_formed(xml: &str) {
        let body = xml.strip_prefix("<?xml version='1.0' encoding='utf-8'?>\n").expect("XML declaration");
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = body;
        let mut roots = 0;
        while let Some(lt) = rest.find('<') {
            check_text(&rest[..lt]);
            let gt = rest[lt..].find('>').expect("unclosed tag") + lt;
            let tag = &rest[lt + 1..gt];
            assert!(!tag.contains('<'), "'<' inside tag {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name.trim()), "mismatched end tag");
            } else {
                let self_closing = tag.ends_with('/');
                let tag = tag.trim_end_matches('/');
                let name = tag.split_whitespace().next().expect("tag name");
                check_attributes(&tag[name.len()..]);
                if stack.is_empty() {
                    roots += 1;
                }
                if !self_closing {
                    stack.push(name);
                }
            }
            rest = &rest[gt + 1..];
        }
        check_text(rest);
        assert!(stack.is_empty(), "unclosed elements {stack:?}");
        assert_eq!(roots, 1, "exactly one root element");
    }

    fn check_attributes(mut attrs: &str) {
        loop {
            attrs = attrs.trim_start();
            if attrs.is_empty() {
                return;
            }
            let eq = attrs.find("=\"").expect("attribute without =\"");
            assert!(!attrs[..eq].contains(char::is_whitespace), "bad attribute name in {attrs}");
            let value_end = attrs[eq + 2..].find('"').expect("unterminated attribute") + eq + 2;
            check_text(&attrs[eq + 2..value_end]);
            attrs = &attrs[value_end + 1..];
        }
    }

    fn check_text(text: &str) {
        assert!(!text.contains('>') || !text.contains('<'));
        let mut rest = text;
        while let Some(amp) = rest.find('&') {
            let semi = rest[amp..].find(';').expect("unterminated reference") + amp;
            let entity = &rest[amp + 1..semi];
            assert!(
                matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
                    || entity.strip_prefix('#').is_some_and(|d| d.parse::<u32>().is_ok()),
                "bad reference &{entity};"
            );
            rest = &rest[semi + 1..];
        }
    }

    #[test]
    fn format_parsing_and_headers() {
        assert_eq!(ExportFormat::from_query(None), Ok(ExportFormat::Gexf));
        assert_eq!(ExportFormat::from_query(Some("GraphML")), Ok(ExportFormat::GraphMl));
        assert_eq!(ExportFormat::from_query(Some("gml")), Ok(ExportFormat::Gml));
        assert_eq!(ExportFormat::from_query(Some("gExF")), Ok(ExportFormat::Gexf));
        assert_eq!(ExportFormat::from_query(Some("Node_Link_Data.JSON")), Ok(ExportFormat::NodeLinkJson));
        let err = ExportFormat::from_query(Some("DOT")).expect_err("unsupported");
        assert_eq!(
            err.to_string(),
            "Graph format `dot` is not one of the supported types: ['GEXF', 'GraphML', 'GML', 'node_link_data.json']"
        );
        assert_eq!(ExportFormat::from_query(Some("")).expect_err("empty").requested, "");

        assert_eq!(
            ExportFormat::NodeLinkJson.content_disposition(2),
            "attachment;filename=Graph_2.node_link_data.json"
        );
        assert_eq!(ExportFormat::GraphMl.content_disposition(7), "attachment;filename=Graph_7.graphml");
        assert_eq!(ExportFormat::Gexf.content_type(), "application/gexf+xml; charset=utf-8");
        assert_eq!(ExportFormat::GraphMl.content_type(), "application/graphml+xml; charset=utf-8");
        assert_eq!(ExportFormat::Gml.content_type(), "text/plain; charset=utf-8");
        assert_eq!(ExportFormat::NodeLinkJson.content_type(), "application/json");
        let names: Vec<&str> = ExportFormat::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names, ["GEXF", "GraphML", "GML", "node_link_data.json"]);
    }

    #[test]
    fn gexf_is_well_formed_and_complete() {
        let xml = to_gexf(&sample(), EdgeLabels::Include);
        assert_well_formed(&xml);
        assert!(xml.contains("<graph defaultedgetype=\"directed\" mode=\"static\" name=\"Graph_2\">"));
        assert!(xml.contains("<node id=\"10\" label=\"A&amp;B &lt;x&gt;\" />"));
        assert!(xml.contains("<node id=\"11\" label=\"C &quot;quoted&quot; é\" />"));
        assert!(
            xml.contains("<edge source=\"10\" target=\"11\" id=\"5\" label=\"approved\" weight=\"0.5\" />")
        );
        // Python's str(1e-05); the null weight of edge 7 is absent rather than "None".
        assert!(xml.contains("<edge source=\"11\" target=\"12\" id=\"6\" label=\"\" weight=\"1e-05\" />"));
        assert!(xml.contains("<edge source=\"12\" target=\"10\" id=\"7\" label=\"declined\" />"));
        assert!(!xml.contains("None"));

        let ground_truth = to_gexf(&sample(), EdgeLabels::Omit);
        assert_well_formed(&ground_truth);
        assert!(ground_truth.contains("<edge source=\"10\" target=\"11\" id=\"5\" weight=\"0.5\" />"));
        assert!(!ground_truth.contains("approved"));
    }

    #[test]
    fn graphml_is_well_formed_and_complete() {
        let xml = to_graphml(&sample(), EdgeLabels::Include);
        assert_well_formed(&xml);
        for key in [
            "<key id=\"d0\" for=\"graph\" attr.name=\"name\" attr.type=\"string\" />",
            "<key id=\"d1\" for=\"node\" attr.name=\"label\" attr.type=\"string\" />",
            "<key id=\"d2\" for=\"edge\" attr.name=\"id\" attr.type=\"long\" />",
            "<key id=\"d3\" for=\"edge\" attr.name=\"label\" attr.type=\"string\" />",
            "<key id=\"d4\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\" />",
        ] {
            assert!(xml.contains(key), "missing {key}");
        }
        assert!(xml.contains("<graph edgedefault=\"directed\" id=\"2\">"));
        assert!(xml.contains("<data key=\"d0\">Graph_2</data>"));
        assert!(
            xml.contains("<node id=\"10\">\n      <data key=\"d1\">A&amp;B &lt;x&gt;</data>\n    </node>")
        );
        assert!(xml.contains("<node id=\"11\">\n      <data key=\"d1\">C \"quoted\" é</data>"));
        assert!(xml.contains(
            "<edge source=\"11\" target=\"12\">\n      <data key=\"d2\">6</data>\n      \
             <data key=\"d3\"></data>\n      <data key=\"d4\">1e-05</data>\n    </edge>"
        ));
        // The edge with a null weight has no weight data.
        assert!(xml.contains(
            "<edge source=\"12\" target=\"10\">\n      <data key=\"d2\">7</data>\n      \
             <data key=\"d3\">declined</data>\n    </edge>"
        ));
        assert_eq!(xml.matches("<node ").count(), 3);
        assert_eq!(xml.matches("<edge ").count(), 3);
    }

    #[test]
    fn graphml_declares_only_keys_that_occur() {
        // Ground truth without weights: no edge label key, no weight key.
        let mut g = sample();
        g.edges.iter_mut().for_each(|e| e.weight = None);
        let xml = to_graphml(&g, EdgeLabels::Omit);
        assert_well_formed(&xml);
        assert_eq!(xml.matches("<key ").count(), 3);
        assert!(!xml.contains("attr.name=\"weight\"") && !xml.contains("approved"));
    }

    #[test]
    fn empty_graphs_export_cleanly() {
        let empty = Graph::for_ground_truth(4, vec![], vec![]);
        for labels in [EdgeLabels::Include, EdgeLabels::Omit] {
            let gexf = to_gexf(&empty, labels);
            assert_well_formed(&gexf);
            assert!(gexf.contains("<nodes>\n    </nodes>") && gexf.contains("name=\"Graph_ground_truth_4\""));
            let graphml = to_graphml(&empty, labels);
            assert_well_formed(&graphml);
            assert_eq!(graphml.matches("<key ").count(), 1);
            let gml = to_gml(&empty, labels);
            assert_eq!(gml, "graph [\n  directed 1\n  id \"4\"\n  name \"Graph_ground_truth_4\"\n]\n");
            let parsed = parse_gml(&gml).expect("own GML");
            assert!(parsed.nodes.is_empty() && parsed.edges.is_empty());
            let json: Value = serde_json::from_str(&to_node_link_json(&empty, labels)).expect("JSON");
            assert_eq!(json["nodes"], json!([]));
            assert_eq!(json["links"], json!([]));
        }
        // Nodes but no edges.
        let lonely = Graph::for_result(1, vec![GraphNode { id: 1, label: "x".into() }], vec![]);
        let xml = to_graphml(&lonely, EdgeLabels::Include);
        assert_well_formed(&xml);
        assert_eq!(xml.matches("<key ").count(), 2);
        assert_well_formed(&to_gexf(&lonely, EdgeLabels::Include));
    }

    #[test]
    fn gml_follows_networkx_layout() {
        let gml = to_gml(&sample(), EdgeLabels::Include);
        let expected = "graph [
  directed 1
  id \"2\"
  name \"Graph_2\"
  node [
    id 0
    label \"10\"
  ]
  node [
    id 1
    label \"11\"
  ]
  node [
    id 2
    label \"12\"
  ]
  edge [
    source 0
    target 1
    id 5
    label \"approved\"
    weight 0.5
  ]
  edge [
    source 1
    target 2
    id 6
    label \"\"
    weight 1.E-05
  ]
  edge [
    source 2
    target 0
    id 7
    label \"declined\"
  ]
]
";
        assert_eq!(gml, expected);
    }

    #[test]
    fn gml_round_trip_gives_the_same_graph() {
        // Node labels in the GML are the node ids, so the parsed graph is the original one keyed
        // by id. An annotation with special characters must survive the escaping.
        let mut g = sample();
        g.edges[0].label = "a \"b\" & ü".into();
        g.id = "x \"1\"".into();
        let parsed = parse_gml(&to_gml(&g, EdgeLabels::Include)).expect("own GML parses");
        assert!(parsed.directed);
        assert_eq!(parsed.nodes, vec!["10", "11", "12"]);
        let original: Vec<(String, String)> =
            g.arcs().into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(parsed.edges, original);
    }

    #[test]
    fn node_link_json_has_networkx_layout() {
        let text = to_node_link_json(&sample(), EdgeLabels::Include);
        // Key order matters to byte-comparing clients: networkx puts node attributes before
        // "id" and link attributes before "source"/"target".
        assert!(text.starts_with(r#"{"directed":true,"multigraph":false,"graph":{"id":"2","name":"Graph_2"},"nodes":[{"label":"A&B <x>","id":10}"#));
        let json: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(
            json["links"],
            json!([
                {"id": 5, "label": "approved", "weight": 0.5, "source": 10, "target": 11},
                {"id": 6, "label": "", "weight": 1e-5, "source": 11, "target": 12},
                {"id": 7, "label": "declined", "source": 12, "target": 10},
            ])
        );
        assert_eq!(json["nodes"].as_array().map(Vec::len), Some(3));

        let gt: Value = serde_json::from_str(&to_node_link_json(&sample(), EdgeLabels::Omit)).expect("JSON");
        assert_eq!(gt["links"][0], json!({"id": 5, "weight": 0.5, "source": 10, "target": 11}));
    }

    #[test]
    fn duplicate_edges_keep_the_last_and_unlisted_endpoints_become_nodes() {
        let mut g = sample();
        g.edges.push(GraphEdge { id: 9, from: 10, to: 11, weight: Some(2.0), label: String::new() });
        g.edges.push(GraphEdge { id: 8, from: 12, to: 99, weight: None, label: String::new() });
        let json: Value = serde_json::from_str(&to_node_link_json(&g, EdgeLabels::Include)).expect("JSON");
        let links = json["links"].as_array().expect("links");
        assert_eq!(links.len(), 4);
        assert_eq!(links[0]["id"], 9);
        assert_eq!(json["nodes"][3], json!({"label": "99", "id": 99}));
        let xml = export(&g, ExportFormat::Gexf, EdgeLabels::Include);
        assert_well_formed(&xml);
        assert!(xml.contains("<node id=\"99\" label=\"99\" />"));
    }

    #[test]
    fn control_characters_keep_xml_well_formed() {
        let g = Graph::for_result(
            1,
            vec![GraphNode { id: 1, label: "tab\there\nnew\u{1}line".into() }],
            vec![GraphEdge { id: 1, from: 1, to: 1, weight: Some(f64::NAN), label: String::new() }],
        );
        let gexf = to_gexf(&g, EdgeLabels::Include);
        assert_well_formed(&gexf);
        assert!(gexf.contains("label=\"tab&#9;here&#10;new\u{fffd}line\""));
        assert!(gexf.contains("weight=\"NaN\""));
        let graphml = to_graphml(&g, EdgeLabels::Include);
        assert_well_formed(&graphml);
        assert!(graphml.contains(">tab\there\nnew\u{fffd}line</data>"));
        // JSON has no NaN: serde_json writes null.
        assert!(to_node_link_json(&g, EdgeLabels::Include).contains("\"weight\":null"));
    }
}
