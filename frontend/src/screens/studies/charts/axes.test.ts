import { describe, expect, it } from 'vitest';
import { clipDiagonal, isLogSpaced, MIN_RATE_SPAN, niceStep, paramDomain, rateDomain, valueDomain, zoomNote } from './axes';
import { linearTicks, logTicks } from './scale';

// The seeded "Gaussian alpha sweep" (docs/benchmarks.md): alpha, skeleton TPR and FPR, SHD.
const ALPHAS = [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.2];
const TPR = [0.533, 0.644, 0.756, 0.8, 0.844, 0.867, 0.956];
const FPR = [0, 0, 0.0014, 0.0014, 0.0122, 0.0313, 0.0639];
const SHD = [39, 36, 33, 31, 39, 52, 76];

/** The ticks a linear scale draws on the domain (count 5, as Chart's scales). */
const ticksOn = ([a, b]: [number, number]) => linearTicks(a, b, 5);

describe('round steps', () => {
  it('cuts a span into about five 1-2-5 steps', () => {
    expect([1, 0.0703, 0.3, 52, 0.05].map((s) => niceStep(s))).toEqual([0.2, 0.02, 0.1, 20, 0.01]);
  });

  it('falls back to 1 for an empty or broken span', () => {
    expect([0, -1, NaN, Infinity].map((s) => niceStep(s))).toEqual([1, 1, 1, 1]);
  });
});

describe('rate axes (ROC, precision–recall)', () => {
  it('zooms the Gaussian sweep’s FPR to 0–0.08 from the origin, with a tick at each end', () => {
    const d = rateDomain(FPR, { fromZero: true });
    expect(d).toEqual({ domain: [0, 0.08], zoomed: true });
    expect(ticksOn(d.domain)).toEqual([0, 0.02, 0.04, 0.06, 0.08]);
    expect(zoomNote(d)).toBe('zoomed: 0–0.08');
  });

  it('zooms its TPR to the points with headroom, ends on ticks', () => {
    const d = rateDomain(TPR);
    expect(d).toEqual({ domain: [0.4, 1], zoomed: true });
    expect(ticksOn(d.domain)).toEqual([0.4, 0.6, 0.8, 1]);
    // Every point inside, none on the edge but at the top (TPR 0.956 → 1 is the most there is).
    for (const v of TPR) expect(v).toBeGreaterThan(d.domain[0]);
  });

  it('keeps headroom above the highest point', () => {
    const [, hi] = rateDomain([0.01, 0.06], { fromZero: true }).domain;
    expect(hi).toBeGreaterThanOrEqual(0.06 * 1.1);
  });

  it('draws the unit square when asked to, or when the zoom would cover most of it', () => {
    expect(rateDomain(FPR, { fromZero: true, full: true })).toEqual({ domain: [0, 1], zoomed: false });
    expect(rateDomain([0.1, 0.5, 0.9])).toEqual({ domain: [0, 1], zoomed: false });
    expect(rateDomain([0.05, 0.6], { fromZero: true })).toEqual({ domain: [0, 1], zoomed: false });
    expect(zoomNote({ domain: [0, 1], zoomed: false })).toBeUndefined();
  });

  it('does not zoom on points that all have the same value: all FPR 0, one experiment, a perfect recovery', () => {
    expect(rateDomain([0, 0, 0], { fromZero: true })).toEqual({ domain: [0, 1], zoomed: false });
    expect(rateDomain([0.8])).toEqual({ domain: [0, 1], zoomed: false });
    expect(rateDomain([1, 1, NaN])).toEqual({ domain: [0, 1], zoomed: false });
  });

  it('widens points a few thousandths apart to a narrow axis, inside 0–1 at the edges', () => {
    const low = rateDomain([0, 0.001], { fromZero: true });
    expect(low).toEqual({ domain: [0, MIN_RATE_SPAN], zoomed: true });
    expect(ticksOn(low.domain)).toEqual([0, 0.005, 0.01, 0.015, 0.02]);
    const mid = rateDomain([0.5, 0.501]);
    expect(mid.zoomed).toBe(true);
    expect(mid.domain[0]).toBeLessThan(0.5);
    expect(mid.domain[1]).toBeGreaterThan(0.501);
    expect(mid.domain[1] - mid.domain[0]).toBeGreaterThanOrEqual(MIN_RATE_SPAN);
    const top = rateDomain([0.999, 1]);
    expect(top.domain[1]).toBe(1);
    expect(top.domain[0]).toBeLessThanOrEqual(1 - MIN_RATE_SPAN);
    const bottom = rateDomain([0, 0.001]);
    expect(bottom.domain[0]).toBe(0);
    expect(bottom.domain[1]).toBeGreaterThanOrEqual(MIN_RATE_SPAN);
  });

  it('ignores NaN and null metrics; with none left, the unit square', () => {
    expect(rateDomain([NaN, null, undefined, 0.02, 0.05], { fromZero: true })).toEqual(rateDomain([0.02, 0.05], { fromZero: true }));
    expect(rateDomain([NaN, null])).toEqual({ domain: [0, 1], zoomed: false });
    expect(rateDomain([])).toEqual({ domain: [0, 1], zoomed: false });
  });

  it('keeps out-of-range values inside 0–1', () => {
    expect(rateDomain([1.2, 0.9]).domain[1]).toBe(1);
    expect(rateDomain([-0.1, 0.02], { fromZero: true }).domain[0]).toBe(0);
  });
});

describe('the chance line', () => {
  it('is the whole diagonal of the unit square', () => {
    expect(clipDiagonal([0, 1], [0, 1])).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('is cut to the part inside a zoomed plot', () => {
    expect(clipDiagonal([0, 0.5], [0.2, 1])).toEqual([
      [0.2, 0.2],
      [0.5, 0.5],
    ]);
    expect(clipDiagonal([0, 0.08], [0, 0.05])).toEqual([
      [0, 0],
      [0.05, 0.05],
    ]);
  });

  it('is left out when it misses the plot or only touches a corner', () => {
    expect(clipDiagonal([0, 0.08], [0.4, 1])).toBeNull(); // the Gaussian sweep's ROC: all above it
    expect(clipDiagonal([0.5, 1], [0, 0.5])).toBeNull();
  });
});

describe('parameter axes', () => {
  it('are log for a log-spaced grid (alpha sweeps)', () => {
    expect(isLogSpaced(ALPHAS)).toBe(true);
    expect(isLogSpaced([0.001, 0.01, 0.05, 0.2])).toBe(true);
    expect(isLogSpaced([0.001, 0.01, 0.05, 0.1, 0.2])).toBe(true);
    expect(isLogSpaced([1, 10, 100, 1000])).toBe(true);
  });

  it('are linear for even steps, narrow spans, non-positive values and too few values', () => {
    expect(isLogSpaced([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5])).toBe(false);
    expect(isLogSpaced([0.01, 0.1, 0.2])).toBe(false);
    expect(isLogSpaced([1, 2, 3])).toBe(false);
    expect(isLogSpaced([0, 0.001, 0.1])).toBe(false);
    expect(isLogSpaced([0.1])).toBe(false);
    expect(isLogSpaced([])).toBe(false);
    expect(isLogSpaced([0.01, 0.1])).toBe(false); // ×10: either way; linear
    expect(isLogSpaced([0.001, 0.1])).toBe(true);
  });

  it('ignore repeated values and NaN', () => {
    expect(isLogSpaced([0.2, 0.0001, 0.001, 0.2, 0.001, NaN])).toBe(true);
  });

  it('pad a log grid so that no point sits on the axis, with decade ticks', () => {
    const [lo, hi] = paramDomain(ALPHAS, true);
    expect(lo).toBeLessThan(0.0001);
    expect(lo).toBeGreaterThan(0.00005);
    expect(hi).toBeGreaterThan(0.2);
    expect(hi).toBeLessThan(0.3);
    expect(logTicks(lo, hi)).toEqual([0.0001, 0.001, 0.01, 0.1]);
  });

  it('pad a linear grid, and widen a single value', () => {
    const [lo, hi] = paramDomain([1, 2, 3], false);
    expect(lo).toBeLessThan(1);
    expect(hi).toBeGreaterThan(3);
    expect(paramDomain([0.05], true)).toEqual([0.025, 0.1]);
    expect(paramDomain([0.05], false)).toEqual([0.045, 0.055]);
    expect(paramDomain([0], false)).toEqual([-1, 1]);
    expect(paramDomain([], true)).toEqual([0.1, 1]);
    expect(paramDomain([NaN], false)).toEqual([0, 1]);
  });
});

describe('value axes (SHD, run time)', () => {
  it('fit SHD to the data with padding, ends on ticks, not from 0', () => {
    const d = valueDomain(SHD, false);
    expect(d).toEqual([20, 80]);
    expect(ticksOn(d)).toEqual([20, 40, 60, 80]);
  });

  it('do not go below 0 for counts, and widen a single value', () => {
    expect(valueDomain([0, 2], false)[0]).toBe(0);
    expect(valueDomain([9], false)).toEqual([8, 10]);
    expect(valueDomain([0], false)).toEqual([0, 1]);
    expect(valueDomain([], false)).toEqual([0, 1]);
    expect(valueDomain([NaN, null, 5, 7], false)).toEqual(valueDomain([5, 7], false));
    expect(valueDomain([-3, 3], false)[0]).toBeLessThan(-3);
  });

  it('pad run times in decades on a log axis, leaving out what a log axis cannot draw', () => {
    const [lo, hi] = valueDomain([0.029, 0.155, 0.867, 3.709], true);
    expect(lo).toBeLessThan(0.029);
    expect(lo).toBeGreaterThan(0.01);
    expect(hi).toBeGreaterThan(3.709);
    expect(hi).toBeLessThan(10);
    expect(valueDomain([0, -1, 0.5], true)).toEqual([0.25, 1]);
    expect(valueDomain([0, NaN], true)).toEqual([0.1, 1]);
  });
});
