import type { JobStatus } from '../api/types';

/** Job `error_code` in words (api.md §1.8). */
export const ERROR_CODE_TEXT: Record<number, string> = {
  [-1]: 'Could not be scheduled: no machine has enough free CPUs or GPUs for it.',
  [-2]: 'The executor image was not found: push the image and run again.',
  [-127]: 'Failed for an unknown reason: the log says more.',
};

export function errorCodeText(code: number | null | undefined): string | null {
  if (code == null || code === 0) return null;
  return ERROR_CODE_TEXT[code] ?? `Failed with error code ${code}: the log says more.`;
}

export const STATUS_LABEL: Record<JobStatus, string> = {
  waiting: 'Waiting',
  running: 'Running',
  done: 'Done',
  error: 'Error',
  cancelled: 'Cancelled',
  hidden: 'Hidden',
};

export const isActive = (status: JobStatus | string | undefined) => status === 'waiting' || status === 'running';

/**
 * DELETE /api/job/{id} cancels a running job and hides any other. A waiting job that is hidden
 * is never started, so for the user that is a cancel too.
 */
export function deleteActionLabel(status: JobStatus | string): 'Cancel' | 'Hide' | null {
  if (status === 'running' || status === 'waiting') return 'Cancel';
  if (status === 'hidden') return null;
  return 'Hide';
}

/** The last non-empty line of a log, without colour codes, shortened: why a job failed. */
export function logExcerpt(log: string | null | undefined, max = 180): string | null {
  if (!log) return null;
  const lines = log.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1];
  if (!last) return null;
  return last.length > max ? `${last.slice(0, max - 1)}…` : last;
}
