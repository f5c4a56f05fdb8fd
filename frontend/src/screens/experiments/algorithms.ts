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

export type LauncherKind = 'local' | 'kubernetes';

/**
 * Why this installation cannot run the algorithm, or null when it can: the rule the server
 * applies when an experiment is started (`launcher::runs_here`, 409 with the same sense). Under
 * the local launcher an algorithm without a local command runs on Kubernetes only; under the
 * Kubernetes launcher one without an image cannot run. Unknown launcher (not loaded yet): null.
 */
export function cannotRunHere(
  a: Pick<Algorithm, 'local_command' | 'docker_image'> | null | undefined,
  launcher: LauncherKind | null | undefined,
): string | null {
  if (!a || !launcher) return null;
  const local = Array.isArray(a.local_command) && a.local_command.length > 0;
  const image = a.docker_image || null;
  if (!local && !image) return null; // the server lets it start (and the job says why it failed)
  if (launcher === 'local' && !local)
    return `Runs on Kubernetes only (image ${image}); this installation runs jobs on this machine (CAUSEWAY_LAUNCHER=local).`;
  if (launcher === 'kubernetes' && !image)
    return 'Runs on a single machine only (no image); this installation runs jobs on Kubernetes.';
  return null;
}

/** The badge's words for an algorithm that cannot run here (see `cannotRunHere`). */
export function cannotRunBadge(launcher: LauncherKind): string {
  return launcher === 'local' ? 'runs on Kubernetes only' : 'runs locally only';
}
