import { describe, expect, it } from 'vitest';
import { runDetails } from './runDetails';

const names = new Map([
  [12, 'Burglary'],
  [15, 'Alarm'],
]);
const nodeName = (id: number) => names.get(id);

describe('runDetails', () => {
  it('lists the known facts in a fixed order and skips the rest', () => {
    const details = runDetails(
      {
        alpha: 0.01,
        executor: 'causal-learn',
        n_tests: 53,
        api_host: 'h/t/***',
        algorithm: 'pc-stable',
        nested: { a: 1 },
      },
      nodeName,
    );
    expect(details.facts).toEqual([
      ['Executor', 'causal-learn'],
      ['Algorithm', 'pc-stable'],
      ['Alpha', '0.01'],
      ['CI tests', '53'],
    ]);
    expect(details.pag).toBeNull();
  });

  it('writes PAG marks with node names', () => {
    const details = runDetails({ pag_edges: ['12 o-> 15', '15 --> 99', 'odd'] }, nodeName);
    expect(details.pag).toEqual(['Burglary o-> Alarm', 'Alarm --> 99', 'odd']);
  });

  it('copes with missing or odd meta results', () => {
    expect(runDetails(null, nodeName)).toEqual({ facts: [], pag: null });
    expect(runDetails([1, 2], nodeName)).toEqual({ facts: [], pag: null });
  });
});
