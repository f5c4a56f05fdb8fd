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

/**
 * Where an algorithm can run: on this machine (the catalogue gives a local command) and/or as an
 * image on Kubernetes. Shown when an experiment is created, so that nobody builds an experiment
 * that the installation cannot run.
 */
export function runsWhere(a: Pick<Algorithm, 'local_command' | 'docker_image'>): string {
  const local = Array.isArray(a.local_command) && a.local_command.length > 0;
  const image = a.docker_image || null;
  if (local && image) return `runs on this machine, or as the image ${image} on Kubernetes`;
  if (local) return 'runs on this machine only';
  if (image) return `runs only as the image ${image} (Kubernetes launcher)`;
  return 'cannot run: neither a local command nor an image';
}
