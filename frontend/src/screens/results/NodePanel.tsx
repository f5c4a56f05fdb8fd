import { useState } from 'react';
import { useConditional, useMarginal } from '../../api/queries';
import { ErrorNote, Loading } from '../../components/ui';
import { DistributionPlot } from '../../graph/DistributionPlot';
import { formatWeight, neighboursOf, type ViewEdge, type ViewNode } from '../../graph/model';
import { activeConditions, ConditionEditor, type ConditionRow } from './ConditionEditor';

interface Props {
  node: ViewNode;
  nodes: ViewNode[];
  edges: ViewEdge[];
  focused: boolean;
  onFocus: (only: boolean) => void;
  onUnfocus: () => void;
  onSelectEdge: (edgeId: string) => void;
  onSelectNode: (nodeId: number) => void;
}

/** A selected node: its neighbours, focus controls, and marginal/conditional distributions. */
export function NodePanel({ node, nodes, edges, focused, onFocus, onUnfocus, onSelectEdge, onSelectNode }: Props) {
  const { parents, children, undirected } = neighboursOf(edges, node.nodeId);
  const name = (id: number) => nodes.find((n) => n.nodeId === id)?.label ?? `#${id}`;
  const list = (title: string, items: ViewEdge[], other: (e: ViewEdge) => number) => (
    <div>
      <div className="panel-title">
        {title} ({items.length})
      </div>
      {items.length === 0 ? (
        <div className="faint">none</div>
      ) : (
        <ul className="edge-list">
          {items.map((e) => (
            <li key={e.id}>
              <button className="link" onClick={() => onSelectNode(other(e))}>
                {name(other(e))}
              </button>
              {e.weight != null && <span className="faint">w {formatWeight(e.weight)}</span>}
              <span className="spacer" />
              <button className="small ghost" onClick={() => onSelectEdge(e.id)} aria-label={`Edge ${name(e.from)} → ${name(e.to)}`}>
                edge
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );

  return (
    <>
      <div>
        <div className="panel-title">Node</div>
        <h2 style={{ overflowWrap: 'anywhere' }}>{node.label}</h2>
        <div className="row" style={{ marginTop: '0.5rem' }}>
          <button className="small primary" onClick={() => onFocus(true)}>
            Focus neighbourhood
          </button>
          {!focused && (
            <button className="small" onClick={() => onFocus(false)}>
              Add to focus
            </button>
          )}
          {focused && (
            <button className="small" onClick={onUnfocus}>
              Remove from focus
            </button>
          )}
        </div>
      </div>
      {list('Causes (parents)', parents, (e) => e.from)}
      {list('Effects (children)', children, (e) => e.to)}
      {undirected.length > 0 && list('Undirected', undirected, (e) => e.to)}
      <Distributions node={node} nodes={nodes} />
    </>
  );
}

function Distributions({ node, nodes }: { node: ViewNode; nodes: ViewNode[] }) {
  const marginal = useMarginal(node.nodeId);
  const [rows, setRows] = useState<ConditionRow[]>([]);
  const conditions = activeConditions(rows);
  const hasConditions = Object.keys(conditions).length > 0;
  const conditional = useConditional(node.nodeId, conditions);

  return (
    <div>
      <div className="panel-title">Distribution</div>
      {marginal.isPending ? (
        <Loading />
      ) : marginal.isError ? (
        <ErrorNote error={marginal.error} onRetry={() => marginal.refetch()} />
      ) : (
        <DistributionPlot dist={marginal.data} overlay={hasConditions ? conditional.data : null} />
      )}
      {conditional.isError && <ErrorNote error={conditional.error} />}
      <div className="panel-title" style={{ marginTop: '0.75rem' }}>
        Conditional on
      </div>
      <ConditionEditor rows={rows} onChange={setRows} candidates={nodes.filter((n) => n.nodeId !== node.nodeId)} />
    </div>
  );
}
