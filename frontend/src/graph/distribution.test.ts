import { describe, expect, it } from 'vitest';
import type { Distribution } from '../api/types';
import { activeConditions } from '../screens/results/ConditionEditor';
import { bars, categoryValues } from './distribution';

const node = { id: 3, name: 'Alarm', dataset_id: 1, dataset: 1 };
const dataset = { id: 1 } as Distribution['dataset'];

describe('distributions', () => {
  it('turns categorical counts into bars in the server order, with shares', () => {
    const dist: Distribution = { node, dataset, categorical: true, bins: { '0': 3, '1': 1 } };
    expect(bars(dist)).toEqual([
      { label: '0', count: 3, share: 0.75 },
      { label: '1', count: 1, share: 0.25 },
    ]);
  });

  it('labels histogram bins by their edges', () => {
    const dist: Distribution = { node, dataset, categorical: false, bins: [1, 1], bin_edges: [0, 0.5, 1] };
    expect(bars(dist).map((b) => b.label)).toEqual(['0–0.50', '0.50–1']);
  });

  it('sends a category label as every value it may stand for', () => {
    expect(categoryValues('1')).toEqual(['1', 1]);
    expect(categoryValues('1.0')).toEqual(['1.0', 1]);
    expect(categoryValues('-2.5')).toEqual(['-2.5', -2.5]);
    expect(categoryValues('True')).toEqual(['True', true]);
    expect(categoryValues('False')).toEqual(['False', false]);
    expect(categoryValues('abc')).toEqual(['abc']);
    expect(categoryValues('')).toEqual(['']);
  });

  it('sends only complete conditions, categories expanded, ranges as they are', () => {
    expect(
      activeConditions([
        { nodeId: 1, condition: { categorical: true, values: ['1', 'x'] } },
        { nodeId: 2, condition: null },
        { nodeId: 4, condition: { categorical: false, from_value: 0.5, to_value: 2 } },
      ]),
    ).toEqual({
      '1': { categorical: true, values: ['1', 1, 'x'] },
      '4': { categorical: false, from_value: 0.5, to_value: 2 },
    });
  });
});
