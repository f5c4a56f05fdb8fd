import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ErrorNote, Spinner } from '../components/ui';
import { saveBlob } from '../util/format';
import { ansiSegments } from './ansi';
import { lineCount } from './logs';
import { useLogFollower } from './useLogFollower';

const SHOWN = 3000;

/** A job's log with line numbers and ANSI colours; follows the tail while the job runs. */
export function LogViewer({ jobId, active }: { jobId: number; active: boolean }) {
  const { log, error, loading } = useLogFollower(jobId, active);
  const [follow, setFollow] = useState(true);
  const [showAll, setShowAll] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  const all = log.partial ? [...log.lines, log.partial] : log.lines;
  const skipped = showAll ? 0 : Math.max(0, all.length - SHOWN);
  const lines = skipped ? all.slice(skipped) : all;

  useLayoutEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [log, follow]);

  // Scrolling up stops following; scrolling back to the end resumes it.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const onScroll = () => setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);

  return (
    <div>
      <div className="log-toolbar">
        {active ? (
          <span className="row" style={{ gap: '0.4rem' }}>
            <Spinner /> following the running job
          </span>
        ) : (
          <span>complete log</span>
        )}
        <span>{lineCount(log)} lines</span>
        <span className="spacer" />
        <label className="row" style={{ gap: '0.35rem' }}>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> stick to the end
        </label>
        <button
          className="small"
          disabled={all.length === 0}
          onClick={() => saveBlob(new Blob([all.join('\n')], { type: 'text/plain' }), `job_${jobId}.log`)}
        >
          Download
        </button>
      </div>
      {error != null && <ErrorNote title="Could not read the log." error={error} />}
      <div className="log" ref={box} data-testid="job-log" aria-busy={loading}>
        {skipped > 0 && (
          <div className="line">
            <span className="ln" />
            <span className="txt">
              … {skipped} earlier lines.{' '}
              <button className="link" onClick={() => setShowAll(true)}>
                Show all
              </button>
            </span>
          </div>
        )}
        {lines.length === 0 && !loading && (
          <div className="line">
            <span className="ln" />
            <span className="txt faint">{active ? 'Waiting for output…' : 'The log is empty.'}</span>
          </div>
        )}
        {lines.map((line, i) => {
          const n = skipped + i + 1;
          const partial = log.partial !== '' && n === all.length;
          return (
            <div key={n} className={`line ${partial ? 'partial' : ''}`}>
              <span className="ln">{n}</span>
              <span className="txt">
                {ansiSegments(line).map((s, j) =>
                  s.className ? (
                    <span key={j} className={s.className}>
                      {s.text}
                    </span>
                  ) : (
                    s.text
                  ),
                )}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
