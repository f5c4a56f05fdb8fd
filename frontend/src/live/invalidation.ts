/**
 * What to refetch for a live event. A target is a query-key pattern (keys.ts): a prefix by
 * default, the whole key with `exact`; `'*'` matches any one element.
 */
import type { LiveEvent } from './feed';

export interface Target {
  key: readonly unknown[];
  exact?: boolean;
}

const ANY = '*';

export function matches(queryKey: readonly unknown[], target: Target): boolean {
  if (target.exact ? queryKey.length !== target.key.length : queryKey.length < target.key.length) return false;
  return target.key.every((part, i) => part === ANY || part === queryKey[i]);
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** Queries touched by an event. `null` means: anything (unknown entity). */
export function targetsFor(event: LiveEvent): Target[] | null {
  const id = event.id;
  const data = event.data ?? {};
  const datasetExperimentLists: Target = { key: ['dataset', ANY, 'experiments'], exact: true };
  switch (event.entity) {
    case 'dataset': {
      const t: Target[] = [{ key: ['datasets'], exact: true }, { key: ['dataset', id] }];
      if (event.what === 'deleted') t.push({ key: ['experiments'] }, { key: ['experiment'] }, { key: ['jobs'] }, { key: ['job'] });
      return t;
    }
    case 'experiment': {
      const t: Target[] = [{ key: ['experiments'], exact: true }, { key: ['experiment', id] }, datasetExperimentLists];
      if (event.what === 'deleted') t.push({ key: ['jobs'] }, { key: ['job'] });
      return t;
    }
    case 'job': {
      const t: Target[] = [{ key: ['jobs'] }, { key: ['job', id] }];
      const experimentId = num(data.experiment_id);
      if (experimentId !== null) {
        // last_job and execution-time statistics of the experiment change with its jobs.
        t.push({ key: ['experiment', experimentId] }, { key: ['experiments'], exact: true }, datasetExperimentLists);
      }
      if (data.type === 'dataset_generation_job') t.push({ key: ['datasets'], exact: true });
      else {
        // A study's progress counts its jobs' states (a job event does not name its study).
        t.push({ key: ['studies'], exact: true }, { key: ['study', ANY], exact: true });
      }
      return t;
    }
    case 'result': {
      const t: Target[] = [
        { key: ['result', id] },
        { key: ['jobs'] },
        { key: ['job'] },
        { key: ['experiment', ANY, 'jobs'], exact: true },
        { key: ['experiments'], exact: true },
        datasetExperimentLists,
        { key: ['study', ANY, 'benchmark'], exact: true },
      ];
      const experimentId = num(data.experiment_id);
      if (experimentId !== null) t.push({ key: ['experiment', experimentId] });
      return t;
    }
    case 'study': {
      const t: Target[] = [{ key: ['studies'], exact: true }, { key: ['study', id] }];
      if (event.what === 'deleted') t.push({ key: ['experiments'] }, { key: ['experiment'] }, { key: ['jobs'] }, { key: ['job'] });
      if (event.what === 'created') t.push({ key: ['experiments'], exact: true }, datasetExperimentLists);
      return t;
    }
    default:
      return null;
  }
}

/**
 * Collects targets for a short while and applies them in one go, so a burst of events (a
 * 100-run start) refetches each list once. `all()` (a resync) supersedes everything pending.
 */
export class InvalidationBatcher {
  private pending: Target[] = [];
  private everything = false;
  private timer: unknown = null;

  constructor(
    private readonly apply: (targets: Target[] | 'all') => void,
    private readonly delay = 100,
    private readonly setTimer: (fn: () => void, ms: number) => unknown = (fn, ms) => setTimeout(fn, ms),
    private readonly clearTimer: (h: unknown) => void = (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  ) {}

  add(targets: Target[] | null): void {
    if (targets === null) this.everything = true;
    else this.pending.push(...targets);
    this.schedule();
  }

  all(): void {
    this.everything = true;
    this.schedule();
  }

  flush(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    const everything = this.everything;
    const targets = dedupe(this.pending);
    this.everything = false;
    this.pending = [];
    if (everything) this.apply('all');
    else if (targets.length) this.apply(targets);
  }

  cancel(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.pending = [];
    this.everything = false;
  }

  private schedule(): void {
    if (this.timer === null) this.timer = this.setTimer(() => this.flush(), this.delay);
  }
}

function dedupe(targets: Target[]): Target[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const k = JSON.stringify([t.key, !!t.exact]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
