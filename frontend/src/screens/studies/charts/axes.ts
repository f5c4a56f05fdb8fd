/**
 * The benchmark charts' axis ranges, fitted to the data so that the curve is readable whatever
 * its range: rate axes (ROC, precision–recall) zoom to the points with round ends, value axes
 * (SHD, run time) pad the data, a parameter axis goes log when its grid is log-spaced, and the
 * ROC chance line is clipped to what is in view.
 */

/** Floating-point noise off (0.30000000000000004 → 0.3). */
const clean = (v: number) => Number(v.toPrecision(12));

const finite = (values: readonly (number | null | undefined)[]): number[] =>
  values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

/** A round step (1, 2 or 5 × 10^k) cutting `span` into about `count` parts (the ticks' step). */
export function niceStep(span: number, count = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  return clean([1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * power);
}

/**
 * [lo, hi] widened outwards to multiples of a round step, so that both ends carry a tick: the
 * step of the widened range (the scale's ticks) again, until it no longer grows.
 */
function rounded(lo: number, hi: number, count = 5): [number, number] {
  let step = niceStep(hi - lo, count);
  for (;;) {
    const ends: [number, number] = [clean(Math.floor(lo / step + 1e-9) * step), clean(Math.ceil(hi / step - 1e-9) * step)];
    const next = niceStep(ends[1] - ends[0], count);
    if (next <= step) return ends;
    step = next;
  }
}

/** The narrowest zoomed rate axis (points a few thousandths apart): 0.02 wide. */
export const MIN_RATE_SPAN = 0.02;
/** Room left beyond the outermost points, as a share of their spread. */
const HEADROOM = 0.1;
/** A zoom that would still cover this much of 0–1 is not worth it: the full range is drawn. */
const MAX_ZOOM_SPAN = 0.7;

export interface RateDomain {
  domain: [number, number];
  /** the domain is not the whole 0–1 */
  zoomed: boolean;
}

const UNIT: RateDomain = { domain: [0, 1], zoomed: false };

/**
 * The domain of a rate axis (values in 0–1: FPR, TPR, precision, recall): the points' range with
 * some headroom, its ends rounded to a tick step, inside 0–1. `fromZero` keeps 0 in view (FPR,
 * the ROC's origin). The unit range when `full`, when there is nothing to draw, when every point
 * has the same value (a zoom would show no spread, only hide where the value lies: all FPR 0, a
 * single experiment, a perfect recovery at the corner) or when the zoom would cover most of it
 * anyway.
 */
export function rateDomain(values: readonly (number | null | undefined)[], opts: { fromZero?: boolean; full?: boolean } = {}): RateDomain {
  const xs = finite(values).map((v) => Math.min(1, Math.max(0, v)));
  if (opts.full || !xs.length) return UNIT;
  const max = Math.max(...xs);
  if (max === Math.min(...xs)) return UNIT;
  const min = opts.fromZero ? 0 : Math.min(...xs);
  const pad = (max - min) * HEADROOM;
  let lo = opts.fromZero ? 0 : Math.max(0, min - pad);
  let hi = Math.min(1, max + pad);
  if (hi - lo < MIN_RATE_SPAN) {
    // Too narrow (points a few thousandths apart): MIN_RATE_SPAN around them, inside 0–1.
    const mid = opts.fromZero ? MIN_RATE_SPAN / 2 : (min + max) / 2;
    lo = Math.max(0, Math.min(1 - MIN_RATE_SPAN, mid - MIN_RATE_SPAN / 2));
    hi = lo + MIN_RATE_SPAN;
  }
  const [a, b] = rounded(lo, hi);
  const domain: [number, number] = [Math.max(0, a), Math.min(1, b)];
  if (domain[1] - domain[0] > MAX_ZOOM_SPAN) return UNIT;
  return { domain, zoomed: domain[0] > 0 || domain[1] < 1 };
}

/** The words of a zoomed axis: "zoomed: 0–0.08". */
export function zoomNote(d: RateDomain): string | undefined {
  return d.zoomed ? `zoomed: ${clean(d.domain[0])}–${clean(d.domain[1])}` : undefined;
}

/**
 * The part of the chance line y = x inside the plot ([x, y] of its two ends), or null when it
 * misses the plot (a zoomed ROC chart above it) or only touches a corner.
 */
export function clipDiagonal(x: [number, number], y: [number, number]): [[number, number], [number, number]] | null {
  const lo = Math.max(x[0], y[0]);
  const hi = Math.min(x[1], y[1]);
  if (!(hi > lo)) return null;
  return [
    [lo, lo],
    [hi, hi],
  ];
}

/**
 * Whether a parameter's grid is log-spaced, so drawn on a log axis: positive values over ×20 or
 * more that a log axis spreads better than a linear one (its closest two values farther apart,
 * as a share of the axis). Alpha grids like 0.0001, 0.001, 0.01, 0.1 are; 0.05, 0.1, …, 0.5 and
 * 0.01, 0.1, 0.2 (even steps at the top) are not.
 */
export function isLogSpaced(values: readonly (number | null | undefined)[]): boolean {
  const xs = [...new Set(finite(values))].sort((a, b) => a - b);
  if (xs.length < 2 || xs[0] <= 0 || xs[xs.length - 1] / xs[0] < 20) return false;
  const closest = (v: number[]) => Math.min(...v.slice(1).map((x, i) => x - v[i])) / (v[v.length - 1] - v[0]);
  return closest(xs.map(Math.log10)) >= closest(xs);
}

/** Share of the data's spread (log: of its decades) added at each end of a value axis. */
const PAD = 0.08;

/**
 * A parameter axis: the values' range padded (so no point sits on the axis lines), in decades
 * when log. The ticks come from the scale (round values, or decades and 1-2-5 on a log axis).
 */
export function paramDomain(values: readonly (number | null | undefined)[], log: boolean): [number, number] {
  const xs = finite(values).filter((v) => !log || v > 0);
  if (!xs.length) return log ? [0.1, 1] : [0, 1];
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  if (log) {
    const f = lo === hi ? 2 : Math.pow(hi / lo, PAD / 2);
    return [clean(lo / f), clean(hi * f)];
  }
  const pad = (hi - lo) * (PAD / 2) || Math.abs(hi) * 0.1 || 1;
  return [clean(lo - pad), clean(hi + pad)];
}

/**
 * A value axis from the data (SHD: linear, run time: log): the range with PAD at each end; a
 * linear one rounded to tick steps and not below 0 for values that are not (counts, SHD).
 */
export function valueDomain(values: readonly (number | null | undefined)[], log: boolean): [number, number] {
  const xs = finite(values).filter((v) => !log || v > 0);
  if (!xs.length) return log ? [0.1, 1] : [0, 1];
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  if (log) {
    const f = lo === hi ? 2 : Math.pow(hi / lo, PAD);
    return [clean(lo / f), clean(hi * f)];
  }
  const pad = (hi - lo) * PAD || Math.max(Math.abs(hi) * 0.1, 1);
  const [a, b] = rounded(lo - pad, hi + pad);
  return [lo >= 0 ? Math.max(0, a) : a, b];
}
