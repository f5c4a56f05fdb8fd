import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/errors';
import { useAnnotate } from '../../api/mutations';
import type { ResultFull } from '../../api/types';
import { useToast } from '../../components/toast';
import type { Graph } from '../../graph/model';
import { formatSeconds } from '../../util/format';
import { runDetails } from './runDetails';

/** What the result is, before anything is selected; also marks edges the result lacks. */
export function SummaryPanel({ result, graph }: { result: ResultFull; graph: Graph }) {
  const annotations = graph.edges.filter((e) => e.annotation).length;
  const resultEdges = graph.edges.filter((e) => e.kind === 'result').length;
  return (
    <>
      <div>
        <div className="panel-title">Result #{result.id}</div>
        <dl className="props">
          <dt>Variables</dt>
          <dd>{graph.nodes.length}</dd>
          <dt>Edges</dt>
          <dd>{resultEdges}</dd>
          <dt>Annotated</dt>
          <dd>{annotations}</dd>
          <dt>Execution</dt>
          <dd>{formatSeconds(result.execution_time)}</dd>
          <dt>Data loading</dt>
          <dd>{formatSeconds(result.dataset_loading_time)}</dd>
          <dt>Job</dt>
          <dd>
            <Link to={`/jobs/${result.job_id}`}>#{result.job_id}</Link>
          </dd>
        </dl>
      </div>
      <RunDetailsPanel result={result} graph={graph} />
      <MissingEdgeForm resultId={result.id} graph={graph} />
      <p className="faint" style={{ fontSize: '0.85rem' }}>
        Select a node to see its neighbours and distribution, or an edge to annotate it.
      </p>
    </>
  );
}

function MissingEdgeForm({ resultId, graph }: { resultId: number; graph: Graph }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const annotate = useAnnotate(resultId);
  const toast = useToast();
  const exists = graph.edges.some((e) => String(e.from) === from && String(e.to) === to);
  const submit = async () => {
    try {
      await annotate.mutateAsync({ from: Number(from), to: Number(to), annotation: 'missing' });
      toast({ kind: 'success', title: 'Edge marked missing' });
      setFrom('');
      setTo('');
    } catch (err) {
      toast({ kind: 'error', title: 'Could not save the annotation', text: errorMessage(err) });
    }
  };
  const options = [...graph.nodes].sort((a, b) => a.label.localeCompare(b.label));
  return (
    <div>
      <div className="panel-title">Mark a missing edge</div>
      <div className="row" style={{ flexWrap: 'nowrap' }}>
        <select aria-label="From" value={from} onChange={(e) => setFrom(e.target.value)}>
          <option value="">from…</option>
          {options.map((n) => (
            <option key={n.id} value={n.nodeId}>
              {n.label}
            </option>
          ))}
        </select>
        <span>→</span>
        <select aria-label="To" value={to} onChange={(e) => setTo(e.target.value)}>
          <option value="">to…</option>
          {options.map((n) => (
            <option key={n.id} value={n.nodeId}>
              {n.label}
            </option>
          ))}
        </select>
      </div>
      <button className="small" style={{ marginTop: '0.4rem' }} disabled={!from || !to || from === to || exists || annotate.isPending} onClick={submit}>
        Mark missing
      </button>
      {exists && <div className="faint">That edge is already drawn.</div>}
    </div>
  );
}

/** What the executor reported about the run, and a PAG's endpoint marks when there are any. */
function RunDetailsPanel({ result, graph }: { result: ResultFull; graph: Graph }) {
  const names = new Map(graph.nodes.map((n) => [n.nodeId, n.label]));
  const { facts, pag } = runDetails(result.meta_results, (id) => names.get(id));
  if (facts.length === 0 && !pag) return null;
  return (
    <div>
      <div className="panel-title">Run</div>
      {facts.length > 0 && (
        <dl className="props">
          {facts.map(([label, value]) => (
            <div key={label} style={{ display: 'contents' }}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
      {pag && (
        <details>
          <summary>PAG marks ({pag.length} edges)</summary>
          <ul className="mono" style={{ fontSize: '0.85rem', paddingLeft: '1.2rem' }}>
            {pag.map((edge) => (
              <li key={edge}>{edge}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
