import { describe, expect, it } from 'vitest';
import { InvalidationBatcher, matches, targetsFor, type Target } from './invalidation';
import { keys } from '../api/keys';

const event = (entity: string, id: number, what: string, data: Record<string, unknown> = {}) => ({
  seq: 1,
  entity,
  id,
  what,
  data,
});

const touched = (targets: Target[] | null, key: readonly unknown[]) =>
  targets === null || targets.some((t) => matches(key, t));

describe('matches', () => {
  it('matches prefixes, exact keys and wildcards', () => {
    expect(matches(['dataset', 3, 'metadata'], { key: ['dataset', 3] })).toBe(true);
    expect(matches(['dataset', 4, 'metadata'], { key: ['dataset', 3] })).toBe(false);
    expect(matches(['datasets'], { key: ['datasets'], exact: true })).toBe(true);
    expect(matches(['dataset', 3], { key: ['datasets'], exact: true })).toBe(false);
    expect(matches(['dataset', 9, 'experiments'], { key: ['dataset', '*', 'experiments'], exact: true })).toBe(true);
    expect(matches(['dataset', 9], { key: ['dataset', '*', 'experiments'] })).toBe(false);
  });
});

describe('targetsFor', () => {
  it('refreshes the study, its benchmark and the list on a study event; its progress on job events', () => {
    const t = targetsFor(event('study', 4, 'progress', { done: 1, total: 3 }));
    expect(touched(t, keys.studies)).toBe(true);
    expect(touched(t, keys.study(4))).toBe(true);
    expect(touched(t, keys.benchmark(4))).toBe(true);
    expect(touched(t, keys.study(5))).toBe(false);
    expect(touched(t, keys.experiments)).toBe(false);
    const job = targetsFor(event('job', 7, 'started', { status: 'running', experiment_id: 2 }));
    expect(touched(job, keys.study(4))).toBe(true);
    expect(touched(job, keys.studies)).toBe(true);
    expect(touched(job, keys.benchmark(4))).toBe(false);
    const result = targetsFor(event('result', 9, 'created', { experiment_id: 2 }));
    expect(touched(result, keys.benchmark(4))).toBe(true);
    const deleted = targetsFor(event('study', 4, 'deleted'));
    expect(touched(deleted, keys.experiments)).toBe(true);
    expect(touched(deleted, keys.experiment(12))).toBe(true);
  });

  it('refreshes the job lists and the job’s experiment on a job change', () => {
    const t = targetsFor(event('job', 7, 'failed', { status: 'error', experiment_id: 2 }));
    expect(touched(t, keys.jobs(false))).toBe(true);
    expect(touched(t, keys.job(7))).toBe(true);
    expect(touched(t, keys.experimentJobs(2))).toBe(true);
    expect(touched(t, keys.experiment(2))).toBe(true);
    expect(touched(t, keys.experiments)).toBe(true);
    expect(touched(t, keys.datasetExperiments(1))).toBe(true);
    expect(touched(t, keys.experimentJobs(3))).toBe(false);
    expect(touched(t, keys.datasets)).toBe(false);
    expect(touched(t, keys.metadata(1))).toBe(false);
  });

  it('refreshes one dataset (not every card’s metadata) on a dataset change', () => {
    const t = targetsFor(event('dataset', 3, 'updated'));
    expect(touched(t, keys.datasets)).toBe(true);
    expect(touched(t, keys.metadata(3))).toBe(true);
    expect(touched(t, keys.metadata(4))).toBe(false);
    expect(touched(t, keys.experiments)).toBe(false);
  });

  it('refreshes experiments and jobs when a dataset is deleted (cascade)', () => {
    const t = targetsFor(event('dataset', 3, 'deleted'));
    expect(touched(t, keys.experiments)).toBe(true);
    expect(touched(t, keys.jobs(true))).toBe(true);
  });

  it('treats an unknown entity as a resync', () => {
    expect(targetsFor(event('something-new', 1, 'created'))).toBeNull();
  });

  it('refreshes the dataset list when a generation job finishes', () => {
    const t = targetsFor(event('job', 4, 'succeeded', { type: 'dataset_generation_job' }));
    expect(touched(t, keys.datasets)).toBe(true);
  });
});

describe('InvalidationBatcher', () => {
  function setup() {
    const applied: (Target[] | 'all')[] = [];
    const timers: (() => void)[] = [];
    const batcher = new InvalidationBatcher(
      (t) => applied.push(t),
      100,
      (fn) => (timers.push(fn), fn),
      () => {},
    );
    return { applied, timers, batcher };
  }

  it('applies a burst once, without duplicates', () => {
    const { applied, timers, batcher } = setup();
    for (let i = 0; i < 50; i++) batcher.add(targetsFor(event('job', i, 'created', { experiment_id: 1 })));
    expect(timers).toHaveLength(1);
    timers[0]();
    expect(applied).toHaveLength(1);
    const targets = applied[0] as Target[];
    expect(targets.filter((t) => t.key[0] === 'jobs')).toHaveLength(1);
  });

  it('lets a resync supersede pending targets', () => {
    const { applied, timers, batcher } = setup();
    batcher.add(targetsFor(event('job', 1, 'created')));
    batcher.all();
    timers[0]();
    expect(applied).toEqual(['all']);
  });

  it('does nothing after cancel', () => {
    const { applied, batcher } = setup();
    batcher.add(targetsFor(event('job', 1, 'created')));
    batcher.cancel();
    batcher.flush();
    expect(applied).toEqual([]);
  });
});
