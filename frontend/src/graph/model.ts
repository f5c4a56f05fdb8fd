/**
 * The graph explorer's model, independent of the drawing library: nodes and edges of a result
 * with weights and annotations, neighbourhoods for focusing, and node search.
 */
import type { Annotation, Edge, EdgeInformation, Node } from '../api/types';

export interface ViewNode {
  id: string;
  nodeId: number;
  label: string;
  classes: string[];
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  from: number;
  to: number;
  weight: number | null;
  /** drawing width, 1.5–6 by |weight| relative to the largest */
  width: number;
  /** 'missing' edges are annotations of edges the result lacks */
  kind: 'result' | 'missing' | 'compare';
  annotation?: Annotation;
  annotationId?: number;
  classes: string[];
}

export interface Graph {
  nodes: ViewNode[];
  edges: ViewEdge[];
}

export const nodeKey = (id: number) => `n${id}`;
export const edgeKey = (from: number, to: number) => `e${from}-${to}`;

export function formatWeight(w: number | null): string {
  if (w == null) return '';
  return Math.abs(w) >= 100 || Number.isInteger(w) ? String(w) : String(Number(w.toPrecision(3)));
}

export function buildGraph(nodes: Node[], edges: Edge[], annotations: EdgeInformation[] = []): Graph {
  const byPair = new Map<string, Edge>();
  for (const e of edges) byPair.set(edgeKey(e.from_node_id, e.to_node_id), e); // the last of duplicates wins
  const maxWeight = Math.max(0, ...[...byPair.values()].map((e) => Math.abs(e.weight ?? 0)));
  const annotated = new Map(annotations.map((a) => [edgeKey(a.from_node_id, a.to_node_id), a]));

  const viewEdges: ViewEdge[] = [...byPair.values()].map((e) => {
    const key = edgeKey(e.from_node_id, e.to_node_id);
    const info = annotated.get(key);
    const width = e.weight == null || maxWeight === 0 ? 2 : 1.5 + 4.5 * (Math.abs(e.weight) / maxWeight);
    return {
      id: key,
      source: nodeKey(e.from_node_id),
      target: nodeKey(e.to_node_id),
      from: e.from_node_id,
      to: e.to_node_id,
      weight: e.weight ?? null,
      width,
      kind: 'result',
      annotation: info?.annotation,
      annotationId: info?.id,
      classes: info ? [info.annotation] : [],
    };
  });
  const known = new Set(nodes.map((n) => n.id));
  for (const [key, info] of annotated) {
    if (byPair.has(key) || !known.has(info.from_node_id) || !known.has(info.to_node_id)) continue;
    viewEdges.push({
      id: key,
      source: nodeKey(info.from_node_id),
      target: nodeKey(info.to_node_id),
      from: info.from_node_id,
      to: info.to_node_id,
      weight: null,
      width: 2,
      kind: 'missing',
      annotation: info.annotation,
      annotationId: info.id,
      classes: [info.annotation, 'annotation-only'],
    });
  }
  return {
    nodes: nodes.map((n) => ({ id: nodeKey(n.id), nodeId: n.id, label: n.name ?? `#${n.id}`, classes: [] })),
    edges: viewEdges,
  };
}

/** Nodes within `depth` steps of any focus node, ignoring edge direction. */
export function neighbourhood(edges: Pick<ViewEdge, 'from' | 'to'>[], focus: Iterable<number>, depth: number): Set<number> {
  const adjacent = new Map<number, number[]>();
  for (const { from, to } of edges) {
    adjacent.set(from, [...(adjacent.get(from) ?? []), to]);
    adjacent.set(to, [...(adjacent.get(to) ?? []), from]);
  }
  const seen = new Set(focus);
  let frontier = [...seen];
  for (let d = 0; d < depth && frontier.length; d++) {
    const next: number[] = [];
    for (const n of frontier) {
      for (const m of adjacent.get(n) ?? []) {
        if (!seen.has(m)) {
          seen.add(m);
          next.push(m);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

/**
 * The part of the graph to draw: everything when nothing is focused, else the focus nodes'
 * neighbourhood, with focus and context nodes marked.
 */
export function visibleGraph(graph: Graph, focus: ReadonlySet<number>, depth: number): Graph {
  if (focus.size === 0) return graph;
  const keep = neighbourhood(graph.edges, focus, depth);
  return {
    nodes: graph.nodes
      .filter((n) => keep.has(n.nodeId))
      .map((n) => ({ ...n, classes: [...n.classes, focus.has(n.nodeId) ? 'focus' : 'context'] })),
    edges: graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to)),
  };
}

/** Nodes whose label contains the query (case-insensitive); prefix matches first. */
export function searchNodes<T extends { label: string }>(nodes: T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  const sorted = [...nodes].sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
  if (!q) return sorted;
  const hits = sorted.filter((n) => n.label.toLowerCase().includes(q));
  return [...hits.filter((n) => n.label.toLowerCase().startsWith(q)), ...hits.filter((n) => !n.label.toLowerCase().startsWith(q))];
}

export interface Neighbours {
  parents: ViewEdge[];
  children: ViewEdge[];
  /** pairs with edges both ways */
  undirected: ViewEdge[];
}

/** A node's edges by direction; an edge present both ways counts once as undirected. */
export function neighboursOf(edges: ViewEdge[], nodeId: number): Neighbours {
  const result = edges.filter((e) => e.kind !== 'missing');
  const out = result.filter((e) => e.from === nodeId && e.to !== nodeId);
  const inn = result.filter((e) => e.to === nodeId && e.from !== nodeId);
  const back = new Set(inn.map((e) => e.from));
  return {
    parents: inn.filter((e) => !out.some((o) => o.to === e.from)),
    children: out.filter((e) => !back.has(e.to)),
    undirected: out.filter((e) => back.has(e.to)),
  };
}
