import type { Distribution } from '../api/types';

export interface Bar {
  label: string;
  count: number;
  share: number;
}

/** Bars of a distribution: categories in the server's order, or histogram bins with ranges. */
export function bars(dist: Distribution): Bar[] {
  let raw: [string, number][];
  if (Array.isArray(dist.bins)) {
    const edges = dist.bin_edges ?? [];
    raw = dist.bins.map((count, i) => [edges.length > i + 1 ? `${short(edges[i])}–${short(edges[i + 1])}` : String(i), count]);
  } else {
    raw = Object.entries(dist.bins);
  }
  const total = raw.reduce((sum, [, c]) => sum + c, 0);
  return raw.map(([label, count]) => ({ label, count, share: total ? count / total : 0 }));
}

export function short(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return n.toExponential(1);
  return Number.isInteger(n) ? String(n) : n.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

/**
 * The JSON values a category label of a categorical distribution may stand for. The server
 * writes category keys as text (`1`, `1.0`, `True`, `abc`) but matches conditions by value, and
 * a string never equals a number there. So a label that reads as a number is sent as that number
 * too, `True`/`False` as booleans too; the text itself is always sent for text columns.
 */
export function categoryValues(label: string): (string | number | boolean)[] {
  const values: (string | number | boolean)[] = [label];
  if (label === 'True' || label === 'False') values.push(label === 'True');
  else if (label.trim() !== '' && Number.isFinite(Number(label))) values.push(Number(label));
  return values;
}
