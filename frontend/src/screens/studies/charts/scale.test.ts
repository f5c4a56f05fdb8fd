import { describe, expect, it } from 'vitest';
import { formatTick, linePath, linearScale, linearTicks, logScale, logTicks } from './scale';

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

  it('adds 2× and 5× on a short axis, and round linear steps inside one decade', () => {
    expect(logTicks(0.01, 0.2)).toEqual([0.01, 0.02, 0.05, 0.1, 0.2]);
    expect(logTicks(0.025, 0.18)).toEqual([0.05, 0.1, 0.15]);
    expect(logTicks(0.3, 0.4)).toEqual([0.3, 0.35, 0.4]);
  });
});

describe('axes and paths', () => {
  it('formats ticks briefly', () => {
    expect([0, 0.001, 0.5, 20, 1500, 1e-5, 250000].map(formatTick)).toEqual(['0', '0.001', '0.5', '20', '1.5k', '1e-5', '3e5']);
  });

  it('draws a path through the points in order', () => {
    expect(linePath([
      [0, 10],
      [5.55, 2.04],
      [10, 0],
    ])).toBe('M0 10 L5.6 2 L10 0');
  });
});
