import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../api/client';
import { applyChunk, emptyLog, nextOffset, type LogState } from './logs';

/**
 * The log of a job. While `active` (waiting/running) it polls for the lines after the ones it
 * has; when the job ends it fetches the whole stored log once.
 */
export function useLogFollower(jobId: number, active: boolean, intervalMs = 1500) {
  const [log, setLog] = useState<LogState>(emptyLog);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const current = useRef(log);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();

    const tick = async (offset: number) => {
      try {
        const text = await unwrap(
          api.GET('/job/{job_id}/logs', {
            params: { path: { job_id: jobId }, query: offset > 0 ? { offset } : {} },
            parseAs: 'text',
            signal: controller.signal,
          }),
        );
        if (cancelled) return;
        const next = applyChunk(current.current, offset, text ?? '');
        if (next !== current.current) {
          current.current = next;
          setLog(next);
        }
        setError(null);
      } catch (err) {
        if (!cancelled) setError(err);
      } finally {
        if (!cancelled) {
          setLoading(false);
          if (active) timer = setTimeout(() => tick(nextOffset(current.current)), intervalMs);
        }
      }
    };

    void tick(active ? nextOffset(current.current) : 0);
    return () => {
      cancelled = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [jobId, active, intervalMs]);

  return { log, error, loading };
}
