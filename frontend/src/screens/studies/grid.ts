/**
 * The study dialog's parameter grids (studies contract): per parameter a fixed value, a list,
 * or a range `{from, to, steps, scale}` (log = geometric; integer parameters are rounded and
 * deduplicated, as the server does). The grid of an algorithm is the cartesian product; the
 * preview counts it here, the server decides.
 */
import type { Grid, GridScalar } from '../../api/types';
import { validateField, type ParamField } from '../../params/schema';

export type GridMode = 'default' | 'fixed' | 'list' | 'range';
export type Scale = 'linear' | 'log';

export interface ParamGrid {
  mode: GridMode;
  fixed: string;
  /** comma-separated values (numbers, text), or the chosen values of an enum/bool */
  list: string[];
  listText: string;
  from: string;
  to: string;
  steps: string;
  scale: Scale;
}

/** The server's limits on a study (a 400 names them; the preview warns before). */
export const MAX_EXPERIMENTS = 500;
export const MAX_JOBS = 5000;

export const isNumeric = (f: Pick<ParamField, 'type'>) => f.type === 'int' || f.type === 'float';

/**
 * A parameter's grid editor as it opens: a required one at its default (a fixed value), any other
 * left out, so that the algorithm uses its own default and names and labels stay short.
 */
export function initialGrid(field: ParamField): ParamGrid {
  const start: ParamGrid = {
    mode: field.required ? 'fixed' : 'default',
    fixed: field.defaultValue,
    list: field.defaultValue !== '' ? [field.defaultValue] : [],
    listText: field.defaultValue,
    from: field.minimum !== undefined && field.minimum > 0 ? String(field.minimum) : '',
    to: field.maximum !== undefined ? String(field.maximum) : '',
    steps: '5',
    scale: 'linear',
  };
  return start;
}

/** Choices of an enum/bool parameter (its list is picked from these). */
export function choices(field: ParamField): string[] | null {
  if (field.type === 'enum') return field.values ?? [];
  if (field.type === 'bool') return ['true', 'false'];
  return null;
}

function scalar(field: ParamField, raw: string): GridScalar {
  if (isNumeric(field)) return Number(raw);
  if (field.type === 'bool') return raw === 'true';
  return raw;
}

/** `steps` values from `from` to `to` inclusive; integers rounded and deduplicated. */
export function expandRange(from: number, to: number, steps: number, scale: Scale, integer: boolean): number[] {
  const values: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = steps === 1 ? 0 : i / (steps - 1);
    let v = scale === 'log' ? from * Math.pow(to / from, t) : from + (to - from) * t;
    if (i === steps - 1 && steps > 1) v = to; // no drift at the end
    values.push(integer ? Math.round(v) : v);
  }
  return integer ? [...new Set(values)] : values;
}

export interface GridOutcome {
  /** what the request carries for this parameter; undefined: left out (the algorithm's default) */
  grid?: Grid;
  /** the values the grid stands for (one `undefined` when left out) */
  values: (GridScalar | undefined)[];
  errors: string[];
}

/** Reads one parameter's editor: the JSON to send, the values it expands to, or what is wrong. */
export function readGrid(field: ParamField, g: ParamGrid): GridOutcome {
  switch (g.mode) {
    case 'default':
      if (field.required) return { values: [], errors: ['A value is required.'] };
      return { values: [undefined], errors: [] };
    case 'fixed': {
      const errors = validateField({ ...field, required: true }, g.fixed.trim());
      if (errors.length) return { values: [], errors };
      const v = scalar(field, g.fixed.trim());
      return { grid: v, values: [v], errors: [] };
    }
    case 'list': {
      const raw = choices(field) ? g.list : g.listText.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (raw.length === 0) return { values: [], errors: ['List at least one value.'] };
      for (const r of raw) {
        const errors = validateField({ ...field, required: true }, r);
        if (errors.length) return { values: [], errors: [`${r}: ${errors.join(' ')}`] };
      }
      const values = [...new Set(raw)].map((r) => scalar(field, r));
      return { grid: values, values, errors: [] };
    }
    case 'range': {
      if (!isNumeric(field)) return { values: [], errors: ['Only numbers have ranges.'] };
      const errors: string[] = [];
      for (const [label, raw] of [
        ['From', g.from],
        ['To', g.to],
      ] as const) {
        const e = validateField({ ...field, required: true }, raw.trim());
        if (e.length) errors.push(`${label}: ${e.join(' ')}`);
      }
      const steps = Number(g.steps);
      if (!Number.isInteger(steps) || steps < 1 || g.steps.trim() === '') errors.push('Steps: a whole number of at least 1.');
      const from = Number(g.from);
      const to = Number(g.to);
      if (!errors.length && g.scale === 'log' && (from <= 0 || to <= 0)) errors.push('A log scale needs from and to above 0.');
      if (errors.length) return { values: [], errors };
      const values = expandRange(from, to, steps, g.scale, field.type === 'int');
      return { grid: { from, to, steps, scale: g.scale }, values, errors: [] };
    }
  }
}

export interface AlgorithmGrid {
  /** parameter → JSON grid, in the schema's order (left-out parameters are absent) */
  parameters: Record<string, Grid>;
  /** grid points of this algorithm (the product of the value counts); 0 when invalid */
  points: number;
  errors: Record<string, string[]>;
}

export function readAlgorithmGrid(fields: ParamField[], grids: Record<string, ParamGrid>): AlgorithmGrid {
  const parameters: Record<string, Grid> = {};
  const errors: Record<string, string[]> = {};
  let points = 1;
  for (const field of fields) {
    const outcome = readGrid(field, grids[field.name] ?? initialGrid(field));
    if (outcome.errors.length) errors[field.name] = outcome.errors;
    if (outcome.grid !== undefined) parameters[field.name] = outcome.grid;
    points *= outcome.values.length;
  }
  return { parameters, points: Object.keys(errors).length ? 0 : points, errors };
}

export interface Preview {
  experiments: number;
  jobs: number;
  /** the limit it goes over, in the server's words; null when within */
  overLimit: string | null;
}

/** Experiments = datasets × Σ points; jobs = datasets × Σ points × runs. */
export function preview(datasets: number, algorithms: { points: number; runs: number }[]): Preview {
  const experiments = datasets * algorithms.reduce((n, a) => n + a.points, 0);
  const jobs = datasets * algorithms.reduce((n, a) => n + a.points * a.runs, 0);
  let overLimit: string | null = null;
  if (experiments > MAX_EXPERIMENTS) overLimit = `${experiments} experiments: at most ${MAX_EXPERIMENTS}.`;
  else if (jobs > MAX_JOBS) overLimit = `${jobs} jobs: at most ${MAX_JOBS}.`;
  return { experiments, jobs, overLimit };
}

/** A short text of the values, for the editor: "0.001, 0.0032, 0.01 (3)". */
export function describeValues(values: (GridScalar | undefined)[]): string {
  const shown = values.map((v) => (v === undefined ? 'default' : typeof v === 'number' ? formatValue(v) : String(v)));
  const head = shown.length > 6 ? [...shown.slice(0, 5), '…', shown[shown.length - 1]] : shown;
  return `${head.join(', ')} (${values.length})`;
}

export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}
