import cytoscape, { type Core, type ElementDefinition, type StylesheetJson } from 'cytoscape';
import dagre from 'cytoscape-dagre';
import { useEffect, useRef } from 'react';
import { formatWeight, type ViewEdge, type ViewNode } from './model';
import { detour } from './routing';

cytoscape.use(dagre);

export type Selection = { kind: 'node' | 'edge'; id: string } | null;

export interface GraphViewProps {
  nodes: ViewNode[];
  edges: ViewEdge[];
  selected?: Selection;
  onSelect?: (selection: Selection) => void;
  /** node ids to outline (search matches) */
  highlighted?: ReadonlySet<string>;
  rankDir?: 'LR' | 'TB';
  showWeights?: boolean;
  /** change to lay the graph out again */
  layoutToken?: number;
  /** change to pan to the selected element */
  centerToken?: number;
  ariaLabel?: string;
}

const STYLE: StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      shape: 'round-rectangle',
      width: (ele: cytoscape.NodeSingular) => Math.max(44, String(ele.data('label')).length * 7.4 + 22),
      height: 30,
      'background-color': '#ffffff',
      'border-width': 1.5,
      'border-color': '#64748b',
      color: '#1c2330',
      'font-size': 12,
      'font-family': 'system-ui, DejaVu Sans, sans-serif',
      'text-valign': 'center',
      'text-halign': 'center',
    },
  },
  { selector: 'node.focus', style: { 'border-color': '#2563eb', 'border-width': 2.5, 'background-color': '#e5edff' } },
  { selector: 'node.context', style: { 'border-style': 'dashed', color: '#5d6777' } },
  { selector: 'node.match', style: { 'border-color': '#f59e0b', 'border-width': 3 } },
  { selector: 'node:selected', style: { 'background-color': '#2563eb', 'border-color': '#1d4ed8', color: '#ffffff' } },
  {
    selector: 'edge',
    style: {
      width: 'data(width)',
      'curve-style': 'bezier',
      'line-color': '#94a3b8',
      'target-arrow-color': '#94a3b8',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 1.1,
      'font-size': 10,
      color: '#334155',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.9,
      'text-background-padding': '2px',
    },
  },
  { selector: 'edge.show-weight', style: { label: 'data(weightLabel)' } },
  { selector: 'edge.approved', style: { 'line-color': '#16a34a', 'target-arrow-color': '#16a34a' } },
  { selector: 'edge.declined', style: { 'line-color': '#dc2626', 'target-arrow-color': '#dc2626', 'line-style': 'dashed' } },
  { selector: 'edge.missing', style: { 'line-color': '#9333ea', 'target-arrow-color': '#9333ea', 'line-style': 'dashed' } },
  { selector: 'edge.tp', style: { 'line-color': '#16a34a', 'target-arrow-color': '#16a34a' } },
  { selector: 'edge.fp', style: { 'line-color': '#dc2626', 'target-arrow-color': '#dc2626' } },
  { selector: 'edge.fn', style: { 'line-color': '#f59e0b', 'target-arrow-color': '#f59e0b', 'line-style': 'dashed' } },
  { selector: 'edge.near', style: { 'line-color': '#2563eb', 'target-arrow-color': '#2563eb', 'z-index': 5 } },
  {
    selector: 'edge:selected',
    style: { 'line-color': '#1d4ed8', 'target-arrow-color': '#1d4ed8', 'overlay-color': '#2563eb', 'overlay-opacity': 0.12, 'z-index': 10 },
  },
];

/** Bends edges that would cut through a node around it (after a layout or a drag). */
function routeEdges(cy: Core): void {
  cy.batch(() => {
    const edges = cy.edges();
    edges.removeStyle('curve-style control-point-distances control-point-weights');
    const boxes = cy.nodes().map((n) => ({ id: n.id(), box: n.boundingBox({ includeLabels: false, includeOverlays: false }) }));
    edges.forEach((edge) => {
      const source = edge.source();
      const target = edge.target();
      if (source.same(target) || target.edgesTo(source).nonempty()) return; // loops and pairs curve already
      const obstacles = boxes.filter((b) => b.id !== source.id() && b.id !== target.id()).map((b) => b.box);
      const bend = detour(source.position(), target.position(), obstacles);
      if (bend) {
        edge.style({
          'curve-style': 'unbundled-bezier',
          'control-point-distances': bend.distance,
          'control-point-weights': bend.weight,
        });
      }
    });
  });
}

function toElements(nodes: ViewNode[], edges: ViewEdge[]): ElementDefinition[] {
  return [
    ...nodes.map((n) => ({ group: 'nodes' as const, data: { id: n.id, label: n.label }, classes: n.classes.join(' ') })),
    ...edges.map((e) => ({
      group: 'edges' as const,
      data: { id: e.id, source: e.source, target: e.target, width: e.width, weightLabel: formatWeight(e.weight) },
      classes: e.classes.join(' '),
    })),
  ];
}

/** A directed graph drawn by cytoscape with a layered (dagre) layout. */
export function GraphView({
  nodes,
  edges,
  selected = null,
  onSelect,
  highlighted,
  rankDir = 'TB',
  showWeights = false,
  layoutToken = 0,
  centerToken = 0,
  ariaLabel = 'Graph',
}: GraphViewProps) {
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const structure = useRef('');

  useEffect(() => {
    const cy = cytoscape({
      container: container.current,
      style: STYLE,
      minZoom: 0.08,
      maxZoom: 3,
      boxSelectionEnabled: false,
      selectionType: 'single',
    });
    cy.on('dragfree', 'node', () => routeEdges(cy));
    cy.on('tap', (evt) => {
      const target = evt.target;
      if (target === cy) onSelectRef.current?.(null);
      else onSelectRef.current?.({ kind: target.isNode() ? 'node' : 'edge', id: target.id() });
    });
    cyRef.current = cy;
    return () => {
      cy.destroy();
      cyRef.current = null;
    };
  }, []);

  const layout = (cy: Core) => {
    cy.layout({ name: 'dagre', rankDir, nodeSep: 28, rankSep: 60, edgeSep: 10, fit: true, padding: 40, animate: false } as cytoscape.LayoutOptions).run();
    if (cy.zoom() > 1.6) cy.zoom(1.6).center();
    routeEdges(cy);
  };

  // Elements: add and remove what changed; lay out again only when the structure changed.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const elements = toElements(nodes, edges);
    const ids = new Set(elements.map((e) => e.data.id!));
    cy.batch(() => {
      cy.elements().forEach((ele) => {
        if (!ids.has(ele.id())) ele.remove();
      });
      for (const def of elements) {
        const existing = cy.getElementById(def.data.id!);
        if (existing.nonempty()) {
          existing.data(def.data);
          existing.classes(def.classes as string);
        } else cy.add(def);
      }
    });
    const key = [...ids].sort().join(',');
    if (key !== structure.current) {
      structure.current = key;
      layout(cy);
    }
  }, [nodes, edges]);

  useEffect(() => {
    const cy = cyRef.current;
    if (cy && cy.elements().nonempty()) layout(cy);
  }, [layoutToken, rankDir]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.edges().toggleClass('show-weight', showWeights);
      cy.nodes().forEach((n) => {
        n.toggleClass('match', highlighted?.has(n.id()) ?? false);
      });
    });
  }, [showWeights, highlighted, nodes, edges]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements(':selected').unselect();
      cy.edges('.near').removeClass('near');
      if (!selected) return;
      const ele = cy.getElementById(selected.id);
      if (ele.empty()) return;
      ele.select();
      if (ele.isNode()) ele.connectedEdges().addClass('near');
    });
  }, [selected, nodes, edges]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || !selected || centerToken === 0) return;
    const ele = cy.getElementById(selected.id);
    if (ele.nonempty()) cy.animate({ center: { eles: ele }, duration: 250 });
  }, [centerToken]);

  return <div ref={container} className="graph-canvas" role="img" aria-label={ariaLabel} data-testid="graph-canvas" />;
}
