import type { Progress, StudyState } from '../../api/types';
import { Badge } from '../../components/ui';

const PARTS = [
  ['done', 'done'],
  ['error', 'error'],
  ['cancelled', 'cancelled'],
  ['running', 'running'],
  ['waiting', 'waiting'],
] as const;

/** A study's jobs as one bar: done, error, cancelled, running, waiting; with the counts in words. */
export function ProgressBar({ progress, compact }: { progress: Progress; compact?: boolean }) {
  const total = progress.total;
  const ended = progress.done + progress.error + progress.cancelled;
  const words = PARTS.filter(([k]) => progress[k] > 0)
    .map(([k, label]) => `${progress[k]} ${label}`)
    .join(' · ');
  return (
    <div className={`study-progress ${compact ? 'compact' : ''}`}>
      <div
        className="progress-bar"
        role="progressbar"
        aria-label="Jobs ended"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={ended}
        aria-valuetext={total ? `${ended} of ${total} jobs ended: ${words}` : 'no jobs yet'}
        data-waiting={progress.waiting}
        data-running={progress.running}
        data-done={progress.done}
        data-error={progress.error}
        data-total={total}
      >
        {total > 0 &&
          PARTS.map(([k]) =>
            progress[k] > 0 ? <span key={k} className={`seg seg-${k}`} style={{ width: `${(progress[k] / total) * 100}%` }} /> : null,
          )}
      </div>
      <div className="progress-words">{total ? words : 'not started'}</div>
    </div>
  );
}

export function StudyStateBadge({ state }: { state: StudyState }) {
  const kind = state === 'finished' ? 'ok' : state === 'running' ? 'info' : undefined;
  return (
    <Badge kind={kind}>
      <span data-study-state={state}>{state}</span>
    </Badge>
  );
}
