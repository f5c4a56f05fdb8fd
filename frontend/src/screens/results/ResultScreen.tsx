import { useDeferredValue, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useEdgeInformation, useResult } from '../../api/queries';
import { ErrorNote, Loading } from '../../components/ui';
import { GraphView, type Selection } from '../../graph/GraphView';
import { buildGraph, nodeKey, searchNodes, visibleGraph } from '../../graph/model';
import { EdgePanel } from './EdgePanel';
import { ExportMenu } from './ExportMenu';
import { NodePanel } from './NodePanel';
import { SummaryPanel } from './SummaryPanel';

/** The graph explorer of one result. */
export default function ResultScreen() {
  const id = Number(useParams().resultId);
  return <Explorer resultId={id} />;
}

function Explorer({ resultId }: { resultId: number }) {
  const result = useResult(resultId);
  const infos = useEdgeInformation(resultId);
  const [selected, setSelected] = useState<Selection>(null);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [focus, setFocus] = useState<Set<number>>(new Set());
  const [depth, setDepth] = useState(1);
  const [rankDir, setRankDir] = useState<'TB' | 'LR'>('TB');
  const [showWeights, setShowWeights] = useState(false);
  const [layoutToken, setLayoutToken] = useState(0);
  const [centerToken, setCenterToken] = useState(0);

  const graph = useMemo(
    () => (result.data ? buildGraph(result.data.nodes, result.data.edges, infos.data ?? []) : { nodes: [], edges: [] }),
    [result.data, infos.data],
  );
  const visible = useMemo(() => visibleGraph(graph, focus, depth), [graph, focus, depth]);
  const matches = useMemo(() => searchNodes(graph.nodes, deferredQuery), [graph.nodes, deferredQuery]);
  const highlighted = useMemo(() => new Set(deferredQuery.trim() ? matches.map((n) => n.id) : []), [matches, deferredQuery]);

  if (result.isPending) return <Loading>Loading the graph…</Loading>;
  if (result.isError)
    return (
      <div style={{ padding: '1.25rem' }}>
        <ErrorNote title={`Could not load result #${resultId}.`} error={result.error} onRetry={() => result.refetch()} />
      </div>
    );

  const name = (nodeId: number) => graph.nodes.find((n) => n.nodeId === nodeId)?.label ?? `#${nodeId}`;
  const selectNode = (nodeId: number, center = true) => {
    if (focus.size && !visible.nodes.some((n) => n.nodeId === nodeId)) setFocus(new Set([...focus, nodeId]));
    setSelected({ kind: 'node', id: nodeKey(nodeId) });
    if (center) setCenterToken((t) => t + 1);
  };
  const selectedNode = selected?.kind === 'node' ? graph.nodes.find((n) => n.id === selected.id) : undefined;
  const selectedEdge = selected?.kind === 'edge' ? graph.edges.find((e) => e.id === selected.id) : undefined;

  return (
    <div className="explorer" data-testid="explorer">
      <aside className="left">
        <div>
          <nav className="crumbs">
            <Link to={`/jobs/${result.data.job_id}`}>Job #{result.data.job_id}</Link>
            <span className="sep">›</span>
          </nav>
          <h1>Result #{resultId}</h1>
        </div>
        <div className="field" style={{ margin: 0 }}>
          <label htmlFor="node-search">Find a node</label>
          <input
            id="node-search"
            type="search"
            placeholder={`${graph.nodes.length} variables`}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && matches[0]) selectNode(matches[0].nodeId);
            }}
          />
        </div>
        <ul className="node-list" aria-label="Nodes">
          {matches.map((n) => (
            <li key={n.id}>
              <button className={selected?.id === n.id ? 'on' : ''} onClick={() => selectNode(n.nodeId)}>
                <span>{n.label}</span>
                {focus.has(n.nodeId) && <span className="badge info">focus</span>}
              </button>
            </li>
          ))}
          {matches.length === 0 && <li className="faint" style={{ padding: '0.5rem' }}>No node matches.</li>}
        </ul>
        <div>
          <div className="panel-title">View</div>
          {focus.size > 0 ? (
            <>
              <p>
                Showing {focus.size === 1 ? name([...focus][0]) : `${focus.size} nodes`} and their neighbours (
                {visible.nodes.length} of {graph.nodes.length}).
              </p>
              <div className="row">
                <label htmlFor="depth">Steps</label>
                <select id="depth" value={depth} onChange={(e) => setDepth(Number(e.target.value))} style={{ width: 'auto' }}>
                  {[1, 2, 3].map((d) => (
                    <option key={d}>{d}</option>
                  ))}
                </select>
                <button className="small" onClick={() => setFocus(new Set())}>
                  Show whole graph
                </button>
              </div>
            </>
          ) : (
            <p className="faint">The whole graph. Focus a node to see only its neighbourhood.</p>
          )}
        </div>
      </aside>
      <div className="canvas-wrap">
        <div className="graph-toolbar">
          <div className="segmented" role="radiogroup" aria-label="Layout direction">
            <button role="radio" aria-checked={rankDir === 'TB'} className={rankDir === 'TB' ? 'on small' : 'small'} onClick={() => setRankDir('TB')}>
              ↓ Top-down
            </button>
            <button role="radio" aria-checked={rankDir === 'LR'} className={rankDir === 'LR' ? 'on small' : 'small'} onClick={() => setRankDir('LR')}>
              → Left-right
            </button>
          </div>
          <button className="small" onClick={() => setLayoutToken((t) => t + 1)}>
            Re-layout
          </button>
          <button className={`small ${showWeights ? 'primary' : ''}`} aria-pressed={showWeights} onClick={() => setShowWeights((v) => !v)}>
            Weights
          </button>
          <ExportMenu resultId={resultId} />
          <Link className="button small" to={`/results/${resultId}/compare`}>
            Compare…
          </Link>
        </div>
        {graph.nodes.length === 0 ? (
          <div className="empty" style={{ margin: '4rem 1rem' }}>
            <h3>An empty graph</h3>This result has no variables.
          </div>
        ) : (
          <GraphView
            nodes={visible.nodes}
            edges={visible.edges}
            selected={selected}
            onSelect={setSelected}
            highlighted={highlighted}
            rankDir={rankDir}
            showWeights={showWeights}
            layoutToken={layoutToken}
            centerToken={centerToken}
            ariaLabel={`Graph of result ${resultId}`}
          />
        )}
        <div className="graph-legend">
          <span>
            <span className="swatch" style={{ borderColor: '#94a3b8' }} />
            edge (width ∝ |weight|)
          </span>
          <span>
            <span className="swatch" style={{ borderColor: '#16a34a' }} />
            approved
          </span>
          <span>
            <span className="swatch dashed" style={{ borderColor: '#dc2626' }} />
            declined
          </span>
          <span>
            <span className="swatch dashed" style={{ borderColor: '#9333ea' }} />
            missing
          </span>
        </div>
      </div>
      <aside className="right" data-testid="selection-panel">
        {selectedNode ? (
          <NodePanel
            key={selectedNode.id}
            node={selectedNode}
            nodes={graph.nodes}
            edges={graph.edges}
            focused={focus.has(selectedNode.nodeId)}
            onFocus={(only) => setFocus(only ? new Set([selectedNode.nodeId]) : new Set([...focus, selectedNode.nodeId]))}
            onUnfocus={() => setFocus(new Set([...focus].filter((n) => n !== selectedNode.nodeId)))}
            onSelectEdge={(edgeId) => setSelected({ kind: 'edge', id: edgeId })}
            onSelectNode={(nodeId) => selectNode(nodeId)}
          />
        ) : selectedEdge ? (
          <EdgePanel resultId={resultId} edge={selectedEdge} name={name} onSelectNode={(nodeId) => selectNode(nodeId)} />
        ) : (
          <SummaryPanel result={result.data} graph={graph} />
        )}
      </aside>
    </div>
  );
}
