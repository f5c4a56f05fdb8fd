import type { Algorithm } from '../../api/types';
import { useLauncher } from '../../api/queries';
import { useAccess, type GateProps } from '../../auth/access';
import { Badge } from '../../components/ui';
import { cannotRunBadge, cannotRunHere } from './algorithms';

type Runnable = Pick<Algorithm, 'local_command' | 'docker_image'> | null | undefined;

/** Why the algorithm cannot run on this installation (null: it can, or not known yet). */
export function useCannotRunHere(algorithm: Runnable): string | null {
  const launcher = useLauncher();
  return cannotRunHere(algorithm, launcher.data);
}

/**
 * The props of a Run/Start button for experiments of `algorithms`: the role gate first, then
 * disabled with the reason as its tooltip when one of them cannot run here.
 */
export function useRunGate(...algorithms: Runnable[]): GateProps {
  return useRunGates()(...algorithms);
}

/** `useRunGate` for lists: a function giving each row's Run button props. */
export function useRunGates(): (...algorithms: Runnable[]) => GateProps {
  const launcher = useLauncher();
  const { gate } = useAccess();
  return (...algorithms) => {
    const role = gate('editor');
    if (role.disabled) return role;
    const why = algorithms.map((a) => cannotRunHere(a, launcher.data)).find((w) => w !== null);
    return why ? { disabled: true, title: why } : role;
  };
}

/** "runs on Kubernetes only" next to an algorithm this installation cannot run; else nothing. */
export function RunsHereBadge({ algorithm }: { algorithm: Runnable }) {
  const launcher = useLauncher();
  const why = cannotRunHere(algorithm, launcher.data);
  if (!why || !launcher.data) return null;
  return (
    <Badge kind="warn" title={why}>
      <span data-testid="runs-elsewhere">{cannotRunBadge(launcher.data)}</span>
    </Badge>
  );
}
