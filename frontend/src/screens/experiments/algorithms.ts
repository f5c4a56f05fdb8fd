import type { Algorithm } from '../../api/types';

export const algorithmLabel = (a: Pick<Algorithm, 'package' | 'function'> | null | undefined) =>
  a ? `${a.package ?? '?'} · ${a.function ?? '?'}` : 'unknown algorithm';

/** Algorithms grouped by package, packages and functions in alphabetical order. */
export function groupByPackage(algorithms: Algorithm[]): [string, Algorithm[]][] {
  const groups = new Map<string, Algorithm[]>();
  for (const a of algorithms) {
    const key = a.package ?? '(no package)';
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pkg, list]) => [pkg, list.sort((x, y) => (x.function ?? '').localeCompare(y.function ?? ''))]);
}
