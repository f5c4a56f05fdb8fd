import { errorMessage } from '../../api/errors';
import { useAnnotate, useRemoveAnnotation } from '../../api/mutations';
import type { Annotation } from '../../api/types';
import { useAccess } from '../../auth/access';
import { useToast } from '../../components/toast';
import { Badge } from '../../components/ui';
import { formatWeight, type ViewEdge } from '../../graph/model';

const ANNOTATIONS: { value: Annotation; label: string; kind: 'ok' | 'err' | 'warn' }[] = [
  { value: 'approved', label: 'Approve', kind: 'ok' },
  { value: 'declined', label: 'Decline', kind: 'err' },
  { value: 'missing', label: 'Missing', kind: 'warn' },
];

/** A selected edge: weight, direction and its annotation. */
export function EdgePanel({ resultId, edge, name, onSelectNode }: { resultId: number; edge: ViewEdge; name: (id: number) => string; onSelectNode: (id: number) => void }) {
  const annotate = useAnnotate(resultId);
  const clear = useRemoveAnnotation(resultId);
  const toast = useToast();
  const busy = annotate.isPending || clear.isPending;
  const { gate } = useAccess();

  const set = async (annotation: Annotation) => {
    try {
      if (edge.annotation === annotation && edge.annotationId) await clear.mutateAsync(edge.annotationId);
      else await annotate.mutateAsync({ from: edge.from, to: edge.to, annotation });
    } catch (err) {
      toast({ kind: 'error', title: 'Could not save the annotation', text: errorMessage(err) });
    }
  };

  return (
    <>
      <div>
        <div className="panel-title">{edge.kind === 'missing' ? 'Edge marked missing' : 'Edge'}</div>
        <h2 className="row" style={{ gap: '0.4rem' }}>
          <button className="link" style={{ fontSize: 'inherit', fontWeight: 'inherit' }} onClick={() => onSelectNode(edge.from)}>
            {name(edge.from)}
          </button>
          →
          <button className="link" style={{ fontSize: 'inherit', fontWeight: 'inherit' }} onClick={() => onSelectNode(edge.to)}>
            {name(edge.to)}
          </button>
        </h2>
      </div>
      <dl className="props">
        <dt>Weight</dt>
        <dd>{edge.weight == null ? <span className="faint">none</span> : formatWeight(edge.weight)}</dd>
        <dt>Annotation</dt>
        <dd>{edge.annotation ? <Badge kind={ANNOTATIONS.find((a) => a.value === edge.annotation)?.kind}>{edge.annotation}</Badge> : <span className="faint">none</span>}</dd>
      </dl>
      <div>
        <div className="panel-title">Annotate</div>
        <div className="row">
          {ANNOTATIONS.map((a) => (
            <button
              key={a.value}
              className={`small ${edge.annotation === a.value ? 'primary' : ''}`}
              aria-pressed={edge.annotation === a.value}
              {...gate('editor', { disabled: busy })}
              onClick={() => set(a.value)}
            >
              {a.label}
            </button>
          ))}
        </div>
        <p className="faint" style={{ fontSize: '0.8rem', marginTop: '0.4rem' }}>
          Click the active annotation again to remove it.
        </p>
      </div>
    </>
  );
}
