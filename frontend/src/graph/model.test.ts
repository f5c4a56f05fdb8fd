import { describe, expect, it } from 'vitest';
import type { Edge, EdgeInformation } from '../api/types';
import { buildGraph, formatWeight, neighbourhood, neighboursOf, searchNodes, visibleGraph } from './model';

const node = (id: number, name: string) => ({ id, name, dataset_id: 1, dataset: 1 });
// The server writes null for unset fields; the generated types call them optional.
const edge = (id: number, from: number, to: number, weight: number | null = null): Edge =>
  ({ id, from_node_id: from, from_node: from, to_node_id: to, to_node: to, result_id: 9, result: 9, weight, is_ground_truth: null }) as unknown as Edge;
const info = (id: number, from: number, to: number, annotation: EdgeInformation['annotation']): EdgeInformation => ({
  id,
  result_id: 9,
  result: 9,
  from_node_id: from,
  from_node: from,
  to_node_id: to,
  to_node: to,
  annotation,
});

// The alarm network: Burglary(1) → Alarm(3) ← Earthquake(2); Alarm → JohnCalls(4), MaryCalls(5).
const nodes = [node(1, 'Burglary'), node(2, 'Earthquake'), node(3, 'Alarm'), node(4, 'JohnCalls'), node(5, 'MaryCalls')];
const edges = [edge(1, 1, 3, 0.8), edge(2, 2, 3, 0.2), edge(3, 3, 4, 0.4), edge(4, 3, 5, -0.4), edge(5, 4, 5), edge(6, 5, 4)];

describe('buildGraph', () => {
  it('draws every node and edge with widths by |weight|', () => {
    const g = buildGraph(nodes, edges);
    expect(g.nodes.map((n) => n.label)).toEqual(['Burglary', 'Earthquake', 'Alarm', 'JohnCalls', 'MaryCalls']);
    expect(g.edges).toHaveLength(6);
    const w = Object.fromEntries(g.edges.map((e) => [e.id, e.width]));
    expect(w['e1-3']).toBeCloseTo(6);
    expect(w['e3-5']).toBeCloseTo(w['e3-4']);
    expect(w['e4-5']).toBe(2); // no weight
  });

  it('keeps the last of duplicate edges', () => {
    const g = buildGraph(nodes, [edge(1, 1, 3, 0.1), edge(2, 1, 3, 0.9)]);
    expect(g.edges).toHaveLength(1);
    expect(g.edges[0].weight).toBe(0.9);
  });

  it('attaches annotations and draws "missing" edges the result lacks', () => {
    const infos = [info(7, 1, 3, 'approved'), info(8, 1, 4, 'missing'), info(9, 1, 99, 'missing')];
    const g = buildGraph(nodes, edges, infos);
    expect(g.edges.find((e) => e.id === 'e1-3')).toMatchObject({ annotation: 'approved', annotationId: 7, classes: ['approved'] });
    expect(g.edges.find((e) => e.id === 'e1-4')).toMatchObject({ kind: 'missing', annotation: 'missing' });
    expect(g.edges.some((e) => e.to === 99)).toBe(false);
  });
});

describe('neighbourhoods', () => {
  const g = buildGraph(nodes, edges);

  it('walks edges in both directions up to the depth', () => {
    expect([...neighbourhood(g.edges, [1], 1)].sort()).toEqual([1, 3]);
    expect([...neighbourhood(g.edges, [1], 2)].sort()).toEqual([1, 2, 3, 4, 5]);
    expect([...neighbourhood(g.edges, [4], 1)].sort()).toEqual([3, 4, 5]);
    expect([...neighbourhood(g.edges, [1, 2], 0)].sort()).toEqual([1, 2]);
  });

  it('shows the focus with its context', () => {
    const v = visibleGraph(g, new Set([1]), 1);
    expect(v.nodes.map((n) => [n.label, n.classes])).toEqual([
      ['Burglary', ['focus']],
      ['Alarm', ['context']],
    ]);
    expect(v.edges.map((e) => e.id)).toEqual(['e1-3']);
    expect(visibleGraph(g, new Set(), 1)).toBe(g);
  });

  it('sorts a node’s edges into parents, children and undirected', () => {
    const n = neighboursOf(g.edges, 4);
    expect(n.parents.map((e) => e.from)).toEqual([3]);
    expect(n.children).toEqual([]);
    expect(n.undirected.map((e) => e.to)).toEqual([5]);
    expect(neighboursOf(g.edges, 3).children.map((e) => e.to)).toEqual([4, 5]);
  });
});

describe('searchNodes', () => {
  const g = buildGraph(nodes, edges);
  it('finds by substring, prefix matches first', () => {
    expect(searchNodes(g.nodes, 'calls').map((n) => n.label)).toEqual(['JohnCalls', 'MaryCalls']);
    expect(searchNodes(g.nodes, 'a').map((n) => n.label)).toEqual(['Alarm', 'Burglary', 'Earthquake', 'JohnCalls', 'MaryCalls']);
    expect(searchNodes(g.nodes, 'ma').map((n) => n.label)).toEqual(['MaryCalls']);
    expect(searchNodes(g.nodes, '').map((n) => n.label)[0]).toBe('Alarm');
  });

  it('formats weights briefly', () => {
    expect(formatWeight(0.123456)).toBe('0.123');
    expect(formatWeight(2)).toBe('2');
    expect(formatWeight(0.07)).toBe('0.07');
    expect(formatWeight(null)).toBe('');
  });
});
