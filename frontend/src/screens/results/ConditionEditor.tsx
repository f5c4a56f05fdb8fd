import { useMarginal } from '../../api/queries';
import type { Condition } from '../../api/types';
import { categoryValues } from '../../graph/distribution';
import type { ViewNode } from '../../graph/model';
import { Spinner } from '../../components/ui';

export interface ConditionRow {
  nodeId: number;
  condition: Condition | null;
}

interface Props {
  rows: ConditionRow[];
  onChange: (rows: ConditionRow[]) => void;
  /** nodes that may be conditioned on */
  candidates: ViewNode[];
}

/** Conditions on other variables: categories to keep, or a value range. */
export function ConditionEditor({ rows, onChange, candidates }: Props) {
  const used = new Set(rows.map((r) => r.nodeId));
  const free = candidates.filter((n) => !used.has(n.nodeId));
  const update = (i: number, row: ConditionRow | null) =>
    onChange(row ? rows.map((r, j) => (j === i ? row : r)) : rows.filter((_, j) => j !== i));
  return (
    <div>
      {rows.map((row, i) => (
        <ConditionRowEditor
          key={row.nodeId}
          row={row}
          label={candidates.find((n) => n.nodeId === row.nodeId)?.label ?? `#${row.nodeId}`}
          onChange={(r) => update(i, r)}
        />
      ))}
      {free.length > 0 && (
        <select
          aria-label="Add a condition"
          value=""
          onChange={(e) => e.target.value && onChange([...rows, { nodeId: Number(e.target.value), condition: null }])}
        >
          <option value="">+ Condition on…</option>
          {free.map((n) => (
            <option key={n.nodeId} value={n.nodeId}>
              {n.label}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}

function ConditionRowEditor({ row, label, onChange }: { row: ConditionRow; label: string; onChange: (r: ConditionRow | null) => void }) {
  const marginal = useMarginal(row.nodeId);
  const dist = marginal.data;
  let body;
  if (!dist) body = marginal.isError ? <span className="faint">unavailable</span> : <Spinner />;
  else if (dist.categorical) {
    const categories = Object.keys(dist.bins as Record<string, number>);
    const chosen = row.condition?.categorical ? row.condition.values.map(String) : [];
    body = (
      <div className="row" style={{ gap: '0.6rem' }}>
        {categories.map((c) => (
          <label key={c} className="row" style={{ gap: '0.25rem' }}>
            <input
              type="checkbox"
              checked={chosen.includes(c)}
              onChange={(e) => {
                const values = e.target.checked ? [...chosen, c] : chosen.filter((v) => v !== c);
                onChange({ ...row, condition: values.length ? { categorical: true, values } : null });
              }}
            />
            {c}
          </label>
        ))}
      </div>
    );
  } else {
    const edges = dist.bin_edges ?? [0, 1];
    const c = row.condition && !row.condition.categorical ? row.condition : { categorical: false as const, from_value: edges[0], to_value: edges[edges.length - 1] };
    const set = (key: 'from_value' | 'to_value', v: string) => {
      const n = Number(v);
      if (v !== '' && Number.isFinite(n)) onChange({ ...row, condition: { ...c, [key]: n } });
    };
    body = (
      <div className="row" style={{ flexWrap: 'nowrap' }}>
        <input type="number" step="any" aria-label={`${label} from`} defaultValue={c.from_value} onChange={(e) => set('from_value', e.target.value)} />
        <span>to</span>
        <input type="number" step="any" aria-label={`${label} to`} defaultValue={c.to_value} onChange={(e) => set('to_value', e.target.value)} />
      </div>
    );
  }
  return (
    <div className="field" style={{ marginBottom: '0.6rem' }}>
      <div className="label row" style={{ justifyContent: 'space-between' }}>
        <span>{label}</span>
        <button className="link" onClick={() => onChange(null)}>
          remove
        </button>
      </div>
      {body}
    </div>
  );
}

/**
 * The conditions to send: only rows with a complete condition. Categories are held as their
 * labels and sent as the values they may stand for (`categoryValues`).
 */
export function activeConditions(rows: ConditionRow[]): Record<string, Condition> {
  const out: Record<string, Condition> = {};
  for (const r of rows) {
    const c = r.condition;
    if (!c) continue;
    out[String(r.nodeId)] = c.categorical ? { categorical: true, values: c.values.flatMap((v) => categoryValues(String(v))) } : c;
  }
  return out;
}
