import { describe, expect, it } from 'vitest';
import { extent, formatTick, linePath, linearScale, linearTicks, logExtent, logScale, logTicks, wantsLog } from './scale';

describe('linear scale', () => {
  it('maps the domain onto the range (y grows downwards)', () => {
    const y = linearScale([0, 1], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(1)).toBe(0);
    expect(y(0.25)).toBe(150);
  });

  it('ticks at round steps', () => {
    expect(linearTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTicks(0, 23, 5)).toEqual([0, 5, 10, 15, 20]);
    expect(linearTicks(0.3, 0.7, 4)).toEqual([0.3, 0.4, 0.5, 0.6, 0.7]);
  });

  it('widens an empty domain', () => {
    expect(linearScale([3, 3], [0, 100]).domain).toEqual([2, 4]);
  });
});

describe('log scale', () => {
  it('puts each decade at the same distance', () => {
    const x = logScale([0.001, 1], [0, 300]);
    expect(x(0.001)).toBeCloseTo(0);
    expect(x(0.01)).toBeCloseTo(100);
    expect(x(0.1)).toBeCloseTo(200);
    expect(x(1)).toBeCloseTo(300);
  });

  it('ticks at powers of ten over several decades', () => {
    expect(logTicks(0.001, 1)).toEqual([0.001, 0.01, 0.1, 1]);
    expect(logScale([0.0001, 10], [0, 1]).ticks()).toEqual([0.0001, 0.001, 0.01, 0.1, 1, 10]);
  });

  it('adds 2× and 5× on a short axis, and the ends inside one decade', () => {
    expect(logTicks(0.01, 0.2)).toEqual([0.01, 0.02, 0.05, 0.1, 0.2]);
    expect(logTicks(0.3, 0.4)).toEqual([0.3, 0.4]);
  });

  it('widens the data to whole decades', () => {
    expect(logExtent([0.013, 2.5])).toEqual([0.01, 10]);
    expect(logExtent([0, -1])).toEqual([0.1, 1]);
  });
});

describe('axes and paths', () => {
  it('formats ticks briefly', () => {
    expect([0, 0.001, 0.5, 20, 1500, 1e-5, 250000].map(formatTick)).toEqual(['0', '0.001', '0.5', '20', '1.5k', '1e-5', '3e5']);
  });

  it('starts counts at zero and pads other domains', () => {
    expect(extent([3, 7, 12], true)).toEqual([0, 15]);
    expect(extent([], true)).toEqual([0, 1]);
    const [lo, hi] = extent([1, 3], false);
    expect(lo).toBeLessThan(1);
    expect(hi).toBeGreaterThan(3);
  });

  it('wants a log axis for a sweep over orders of magnitude', () => {
    expect(wantsLog([0.001, 0.01, 0.1])).toBe(true);
    expect(wantsLog([1, 2, 3])).toBe(false);
    expect(wantsLog([0, 0.1])).toBe(false);
  });

  it('draws a path through the points in order', () => {
    expect(linePath([
      [0, 10],
      [5.55, 2.04],
      [10, 0],
    ])).toBe('M0 10 L5.6 2 L10 0');
  });
});
