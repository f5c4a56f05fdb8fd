/**
 * What an executor reported about its run (`meta_results`), for the result summary: a few known
 * facts in a fixed order, and a PAG's endpoint marks (causal-learn FCI's `pag_edges`) with node
 * names instead of ids.
 */

/** The facts shown, in this order, when present as strings or numbers. */
const FACTS: [key: string, label: string][] = [
  ['executor', 'Executor'],
  ['causal_learn_version', 'causal-learn'],
  ['executor_version', 'Version'],
  ['algorithm', 'Algorithm'],
  ['independence_test', 'Test'],
  ['alpha', 'Alpha'],
  ['score', 'Score'],
  ['n_tests', 'CI tests'],
  ['n_samples', 'Samples used'],
  ['dropped_rows', 'Rows dropped (NULL)'],
];

export interface RunDetails {
  facts: [label: string, value: string][];
  /** PAG edges such as "Burglary o-> Alarm"; null when the result is not a PAG. */
  pag: string[] | null;
}

export function runDetails(meta: unknown, nodeName: (id: number) => string | undefined): RunDetails {
  const record =
    meta && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Record<string, unknown>) : {};
  const facts: [string, string][] = [];
  for (const [key, label] of FACTS) {
    const value = record[key];
    if (typeof value === 'string' || typeof value === 'number') facts.push([label, String(value)]);
  }
  const marks = record.pag_edges;
  const pag = Array.isArray(marks)
    ? marks.filter((m): m is string => typeof m === 'string').map((m) => named(m, nodeName))
    : null;
  return { facts, pag };
}

/** "12 o-> 15" with the nodes' names; an unknown id or another shape stays as it is. */
function named(mark: string, nodeName: (id: number) => string | undefined): string {
  const parts = mark.split(' ');
  if (parts.length !== 3) return mark;
  const [from, edge, to] = parts;
  const name = (id: string) => nodeName(Number(id)) ?? id;
  return `${name(from)} ${edge} ${name(to)}`;
}
