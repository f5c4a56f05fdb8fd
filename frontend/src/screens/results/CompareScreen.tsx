import { useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { Comparison } from '../../api/types';
import { useCompare, useGtCompare, useResult } from '../../api/queries';
import { classifyEdges, EDGE_CLASS_LABEL, type EdgeClass } from '../../compare/metrics';
import { Empty, ErrorNote, Loading, PageHead } from '../../components/ui';
import { GraphView } from '../../graph/GraphView';
import { edgeKey, nodeKey, type ViewEdge, type ViewNode } from '../../graph/model';
import { formatDateTime } from '../../util/format';
import { MetricTable } from './MetricTable';
import { useCandidateResults } from './useCandidateResults';

const CLASS_COLOR: Record<EdgeClass, string> = { tp: '#16a34a', fp: '#dc2626', fn: '#f59e0b' };

/** A result against its dataset's ground truth and against another result. */
export default function CompareScreen() {
  const id = Number(useParams().resultId);
  return <ComparisonView resultId={id} />;
}

function ComparisonView({ resultId }: { resultId: number }) {
  const [params, setParams] = useSearchParams();
  const other = params.get('other') ? Number(params.get('other')) : null;
  const result = useResult(resultId);
  const gt = useGtCompare(resultId);
  const vsOther = useCompare(other, resultId);
  const datasetId = result.data?.nodes[0]?.dataset_id;
  const { candidates, loading } = useCandidateResults(datasetId, resultId);
  const [view, setView] = useState<'gt' | 'other' | null>(null);
  const shown: 'gt' | 'other' = view ?? (gt.data ? 'gt' : 'other');
  const comparison: Comparison | null | undefined = shown === 'gt' ? gt.data : vsOther.data;

  const names = useMemo(() => new Map((result.data?.nodes ?? []).map((n) => [n.id, n.name ?? `#${n.id}`])), [result.data]);
  const drawn = useMemo(() => (comparison && result.data ? comparisonGraph(result.data.nodes, comparison) : null), [comparison, result.data]);

  if (result.isPending) return <Loading />;
  if (result.isError) return <ErrorNote title={`Could not load result #${resultId}.`} error={result.error} onRetry={() => result.refetch()} />;

  const otherLabel = other ? `vs result #${other}` : 'vs another result';
  return (
    <>
      <PageHead
        crumbs={[
          { label: `Job #${result.data.job_id}`, to: `/jobs/${result.data.job_id}` },
          { label: `Result #${resultId}`, to: `/results/${resultId}` },
        ]}
        title={`Compare result #${resultId}`}
        subtitle="This result is the candidate; the ground truth or the other result is the reference."
      />
      <div className="compare-grid">
        <div>
          <div className="field">
            <label htmlFor="other-result">Other result</label>
            <select
              id="other-result"
              value={other ?? ''}
              onChange={(e) => {
                setParams(e.target.value ? { other: e.target.value } : {}, { replace: true });
                if (e.target.value) setView('other');
              }}
            >
              <option value="">{loading ? 'Loading…' : candidates.length ? 'Choose a result…' : 'No other result of this dataset'}</option>
              {other !== null && !candidates.some((c) => c.resultId === other) && <option value={other}>Result #{other}</option>}
              {candidates.map((c) => (
                <option key={c.resultId} value={c.resultId}>
                  {c.experimentName} — result #{c.resultId} ({formatDateTime(c.startTime)})
                </option>
              ))}
            </select>
          </div>
          {gt.isError && <ErrorNote title="Ground-truth comparison failed." error={gt.error} />}
          {vsOther.isError && <ErrorNote title="Comparison failed." error={vsOther.error} />}
          {gt.data === null && <p className="muted">The dataset has no ground truth: upload one on the dataset page.</p>}
          <MetricTable
            columns={[
              { label: 'vs ground truth', comparison: gt.data },
              { label: otherLabel, comparison: vsOther.data },
            ]}
          />
        </div>
        <div>
          <div className="row" style={{ marginBottom: '0.5rem' }}>
            <div className="segmented" role="radiogroup" aria-label="Reference">
              <button type="button" role="radio" aria-checked={shown === 'gt'} className={shown === 'gt' ? 'on' : ''} disabled={!gt.data} onClick={() => setView('gt')}>
                Ground truth
              </button>
              <button type="button" role="radio" aria-checked={shown === 'other'} className={shown === 'other' ? 'on' : ''} disabled={!vsOther.data} onClick={() => setView('other')}>
                {other ? `Result #${other}` : 'Other result'}
              </button>
            </div>
          </div>
          <div className="card compare-graph">
            {drawn ? (
              <>
                <GraphView nodes={drawn.nodes} edges={drawn.edges} ariaLabel="Comparison graph" />
                <div className="graph-legend">
                  {(Object.keys(CLASS_COLOR) as EdgeClass[]).map((c) => (
                    <span key={c}>
                      <span className={`swatch ${c === 'fn' ? 'dashed' : ''}`} style={{ borderColor: CLASS_COLOR[c] }} />
                      {EDGE_CLASS_LABEL[c]}
                    </span>
                  ))}
                </div>
              </>
            ) : gt.isPending || vsOther.isFetching ? (
              <Loading />
            ) : (
              <Empty title="Nothing to compare yet">Upload a ground truth for the dataset or choose another result.</Empty>
            )}
          </div>
          {comparison && <EdgeLists comparison={comparison} names={names} />}
          <p style={{ marginTop: '0.75rem' }}>
            <Link to={`/results/${resultId}`}>Back to the explorer</Link>
          </p>
        </div>
      </div>
    </>
  );
}

function comparisonGraph(nodes: { id: number; name?: string | null }[], comparison: Comparison): { nodes: ViewNode[]; edges: ViewEdge[] } {
  const classes = classifyEdges(comparison);
  return {
    nodes: nodes.map((n) => ({ id: nodeKey(n.id), nodeId: n.id, label: n.name ?? `#${n.id}`, classes: [] })),
    edges: [...classes.entries()].map(([key, cls]) => {
      const [from, to] = key.split('->').map(Number);
      return { id: edgeKey(from, to), source: nodeKey(from), target: nodeKey(to), from, to, weight: null, width: 2.5, kind: 'compare', classes: [cls] };
    }),
  };
}

function EdgeLists({ comparison, names }: { comparison: Comparison; names: Map<number, string> }) {
  const pairs = (edges: number[][]) => edges.map(([from, to]) => [from, to] as [number, number]);
  const lists: [string, [number, number][]][] = [
    ['True positives', pairs(comparison.error_types.true_positives.edges)],
    ['False positives', pairs(comparison.error_types.false_positives.edges)],
    ['False negatives', pairs(comparison.error_types.false_negatives.edges)],
  ];
  return (
    <div style={{ marginTop: '0.75rem' }}>
      {lists.map(([title, edges]) => (
        <details key={title}>
          <summary>
            {title} ({edges.length})
          </summary>
          <ul className="edge-list" style={{ paddingLeft: '1rem' }}>
            {edges.map(([a, b]) => (
              <li key={`${a}-${b}`}>
                {names.get(a) ?? a} → {names.get(b) ?? b}
              </li>
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}
