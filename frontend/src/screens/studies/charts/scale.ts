/**
 * Scales, ticks and paths of the benchmark charts (hand-written SVG; no chart library: the
 * bundle has a size budget).
 */

export type ScaleKind = 'linear' | 'log';

export interface Scale {
  kind: ScaleKind;
  domain: [number, number];
  range: [number, number];
  /** data value → pixel */
  (value: number): number;
  ticks(): number[];
}

export function linearScale(domain: [number, number], range: [number, number], count = 5): Scale {
  const [d0, d1] = domain[0] === domain[1] ? [domain[0] - 1, domain[1] + 1] : domain;
  const f = ((v: number) => range[0] + ((v - d0) / (d1 - d0)) * (range[1] - range[0])) as Scale;
  f.kind = 'linear';
  f.domain = [d0, d1];
  f.range = range;
  f.ticks = () => linearTicks(d0, d1, count);
  return f;
}

/** A log10 scale; the domain must be positive (values ≤ 0 map to the bottom). */
export function logScale(domain: [number, number], range: [number, number]): Scale {
  let [d0, d1] = domain;
  if (d0 === d1) [d0, d1] = [d0 / 2, d1 * 2];
  const l0 = Math.log10(d0);
  const l1 = Math.log10(d1);
  const f = ((v: number) => range[0] + ((Math.log10(Math.max(v, d0 / 1e6)) - l0) / (l1 - l0)) * (range[1] - range[0])) as Scale;
  f.kind = 'log';
  f.domain = [d0, d1];
  f.range = range;
  f.ticks = () => logTicks(d0, d1);
  return f;
}

/** Round tick values (1, 2, 5 × 10^k steps), about `count` of them, inside [a, b]. */
export function linearTicks(a: number, b: number, count = 5): number[] {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  const raw = (hi - lo) / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(clean(v));
  return ticks;
}

/**
 * Ticks of a log axis: the powers of ten inside the domain; with fewer than three of them, also
 * 2× and 5× each power; with fewer than three of those (a short axis), round linear steps.
 */
export function logTicks(a: number, b: number): number[] {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  const inside = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const powers: number[] = [];
  for (let k = first; k <= last; k++) powers.push(clean(Math.pow(10, k)));
  const decades = powers.filter(inside);
  if (decades.length >= 3) return decades;
  const more = powers.flatMap((p) => [p, clean(2 * p), clean(5 * p)]).filter(inside);
  if (more.length >= 3) return more;
  const steps = linearTicks(lo, hi, 4).filter((v) => v > 0);
  return steps.length >= 2 ? steps : [clean(lo), clean(hi)];
}

/** Floating-point noise off (0.30000000000000004 → 0.3). */
function clean(v: number): number {
  return Number(v.toPrecision(12));
}

/** A tick's text: 0.001, 0.5, 20, 1k, 1e-5. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(0).replace('e+', 'e');
  if (a >= 1000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/** An SVG path through the points in order ("M x y L x y …"), pixels to 0.1. */
export function linePath(points: [number, number][]): string {
  return points.map(([x, y], i) => `${i ? 'L' : 'M'}${round(x)} ${round(y)}`).join(' ');
}

const round = (v: number) => Math.round(v * 10) / 10;

/** Series colours (distinguishable, also in grey print), by algorithm. */
export const PALETTE = ['#2563eb', '#d9480f', '#2b8a3e', '#9c36b5', '#c2255c', '#0b7285', '#e67700', '#495057'];
