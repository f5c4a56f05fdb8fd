import { describe, expect, it } from 'vitest';
import { cannotRunBadge, cannotRunHere, groupByPackage, runsWhere } from './algorithms';
import type { Algorithm } from '../../api/types';

const algorithm = (fields: Partial<Algorithm>): Algorithm =>
  ({ id: 1, package: 'p', function: 'f', docker_image: null, local_command: null, ...fields }) as Algorithm;

describe('runsWhere', () => {
  it('names the image and this machine for algorithms with both', () => {
    const pc = algorithm({ docker_image: 'causeway_execution_pc', local_command: ['causeway-pc'] });
    expect(runsWhere(pc)).toBe('runs on this machine, or as the image causeway_execution_pc on Kubernetes');
  });

  it('says image-only algorithms need the Kubernetes launcher', () => {
    expect(runsWhere(algorithm({ docker_image: 'mpci_execution_r' }))).toBe(
      'runs only as the image mpci_execution_r (Kubernetes launcher)',
    );
  });

  it('handles local-only and unrunnable entries', () => {
    expect(runsWhere(algorithm({ local_command: ['{python}', '{executors}/python/{script}'] }))).toBe(
      'runs on this machine only',
    );
    expect(runsWhere(algorithm({ local_command: [] }))).toBe('cannot run: neither a local command nor an image');
  });
});

describe('groupByPackage', () => {
  it('sorts packages and functions', () => {
    const groups = groupByPackage([
      algorithm({ id: 1, package: 'pcalg', function: 'pc' }),
      algorithm({ id: 2, package: 'causal-learn', function: 'pc' }),
      algorithm({ id: 3, package: 'causal-learn', function: 'fci' }),
    ]);
    expect(groups.map(([pkg, list]) => [pkg, list.map((a) => a.function)])).toEqual([
      ['causal-learn', ['fci', 'pc']],
      ['pcalg', ['pc']],
    ]);
  });
});

describe('cannotRunHere', () => {
  const pcalg = algorithm({ docker_image: 'mpci_execution_r' });
  const native = algorithm({ docker_image: 'causeway_execution_pc', local_command: ['causeway-pc'] });
  const localOnly = algorithm({ local_command: ['{python}', 'x.py'] });

  it('marks image-only algorithms under the local launcher, naming where they run', () => {
    expect(cannotRunHere(pcalg, 'local')).toBe(
      'Runs on Kubernetes only (image mpci_execution_r); this installation runs jobs on this machine (CAUSEWAY_LAUNCHER=local).',
    );
    expect(cannotRunBadge('local')).toBe('runs on Kubernetes only');
    expect(cannotRunHere(native, 'local')).toBeNull();
    expect(cannotRunHere(localOnly, 'local')).toBeNull();
  });

  it('marks local-only algorithms under the Kubernetes launcher', () => {
    expect(cannotRunHere(localOnly, 'kubernetes')).toBe(
      'Runs on a single machine only (no image); this installation runs jobs on Kubernetes.',
    );
    expect(cannotRunHere(pcalg, 'kubernetes')).toBeNull();
  });

  it('says nothing before the launcher is known, or for entries the server lets start', () => {
    expect(cannotRunHere(pcalg, undefined)).toBeNull();
    expect(cannotRunHere(algorithm({}), 'local')).toBeNull();
    expect(cannotRunHere(null, 'local')).toBeNull();
  });
});
