import { describe, expect, it } from 'vitest';
import { parseValidParameters } from '../../params/schema';
import { describeValues, expandRange, initialGrid, preview, readAlgorithmGrid, readGrid, type ParamGrid } from './grid';

const [alpha, test, cores, stable] = parseValidParameters({
  alpha: { type: 'float', required: true, minimum: 0.0, maximum: 1.0, default: 0.05 },
  independence_test: { type: 'enum', values: ['gaussCI', 'disCI', 'g2'], default: 'gaussCI' },
  cores: { type: 'int', minimum: 1, maximum: 64 },
  stable: { type: 'bool' },
});

const grid = (field: Parameters<typeof initialGrid>[0], over: Partial<ParamGrid>): ParamGrid => ({ ...initialGrid(field), ...over });

describe('expandRange', () => {
  it('spaces a linear range evenly, ends included', () => {
    expect(expandRange(0, 1, 5, 'linear', false)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('spaces a log range geometrically', () => {
    const v = expandRange(0.001, 0.1, 3, 'log', false);
    expect(v[0]).toBe(0.001);
    expect(v[1]).toBeCloseTo(0.01, 12);
    expect(v[2]).toBe(0.1);
  });

  it('rounds integers and drops duplicates', () => {
    expect(expandRange(1, 4, 7, 'linear', true)).toEqual([1, 2, 3, 4]);
    expect(expandRange(1, 8, 4, 'log', true)).toEqual([1, 2, 4, 8]);
  });

  it('gives the start alone for one step', () => {
    expect(expandRange(2, 9, 1, 'linear', false)).toEqual([2]);
  });
});

describe('readGrid', () => {
  it('starts from the default as a fixed value, or leaves an optional parameter out', () => {
    expect(readGrid(alpha, initialGrid(alpha))).toEqual({ grid: 0.05, values: [0.05], errors: [] });
    expect(readGrid(cores, initialGrid(cores))).toEqual({ values: [undefined], errors: [] });
  });

  it('sends a range as the contract’s object and counts its values', () => {
    const out = readGrid(alpha, grid(alpha, { mode: 'range', from: '0.001', to: '0.1', steps: '5', scale: 'log' }));
    expect(out.grid).toEqual({ from: 0.001, to: 0.1, steps: 5, scale: 'log' });
    expect(out.values).toHaveLength(5);
  });

  it('sends lists typed, without repeats', () => {
    expect(readGrid(alpha, grid(alpha, { mode: 'list', listText: '0.01, 0.05,0.01' })).grid).toEqual([0.01, 0.05]);
    expect(readGrid(test, grid(test, { mode: 'list', list: ['gaussCI', 'g2'] })).grid).toEqual(['gaussCI', 'g2']);
    expect(readGrid(stable, grid(stable, { mode: 'list', list: ['true', 'false'] })).grid).toEqual([true, false]);
  });

  it('names what is wrong with the server’s words', () => {
    expect(readGrid(alpha, grid(alpha, { mode: 'list', listText: '0.1, 2' })).errors).toEqual(['2: Must be between 0.0 and 1.0.']);
    expect(readGrid(alpha, grid(alpha, { mode: 'range', from: '0', to: '0.1', steps: '3', scale: 'log' })).errors).toEqual([
      'A log scale needs from and to above 0.',
    ]);
    expect(readGrid(alpha, grid(alpha, { mode: 'range', from: '0.1', to: '0.2', steps: '0' })).errors).toEqual([
      'Steps: a whole number of at least 1.',
    ]);
    expect(readGrid(alpha, grid(alpha, { mode: 'default' })).errors).toEqual(['A value is required.']);
    expect(readGrid(test, grid(test, { mode: 'list', list: [] })).errors).toEqual(['List at least one value.']);
  });
});

describe('grid preview', () => {
  it('multiplies the value counts of an algorithm’s parameters', () => {
    const fields = [alpha, test, cores];
    const grids = {
      alpha: grid(alpha, { mode: 'range', from: '0.01', to: '0.1', steps: '4', scale: 'log' }),
      independence_test: grid(test, { mode: 'list', list: ['gaussCI', 'g2'] }),
      cores: grid(cores, { mode: 'range', from: '1', to: '2', steps: '5', scale: 'linear' }), // 1,1,2,2,2 → 1,2
    };
    const g = readAlgorithmGrid(fields, grids);
    expect(g.points).toBe(4 * 2 * 2);
    expect(Object.keys(g.parameters)).toEqual(['alpha', 'independence_test', 'cores']);
  });

  it('counts nothing for an invalid grid', () => {
    expect(readAlgorithmGrid([alpha], { alpha: grid(alpha, { fixed: '7' }) }).points).toBe(0);
  });

  it('counts experiments over datasets and jobs over runs, and warns over the limits', () => {
    expect(preview(2, [{ points: 5, runs: 3 }, { points: 4, runs: 1 }])).toEqual({ experiments: 18, jobs: 38, overLimit: null });
    expect(preview(3, [{ points: 200, runs: 1 }]).overLimit).toBe('600 experiments: at most 500.');
    expect(preview(1, [{ points: 100, runs: 60 }]).overLimit).toBe('6000 jobs: at most 5000.');
  });

  it('describes long value lists briefly', () => {
    expect(describeValues([0.001, 0.00316227766, 0.01])).toBe('0.001, 0.00316, 0.01 (3)');
    expect(describeValues([1, 2, 3, 4, 5, 6, 7, 8])).toBe('1, 2, 3, 4, 5, …, 8 (8)');
  });
});
