import { useAuth } from './AuthProvider';
import { allows, needsRoleText } from './roles';
import type { Role } from './types';

export interface GateProps {
  disabled: boolean;
  title?: string;
}

/**
 * What the signed-in role may do. `gate(need)` gives the props of a control that needs `need`:
 * disabled, with a tooltip naming the role, when the role is lower.
 */
export function useAccess() {
  const { me } = useAuth();
  const role = me.role;
  return {
    role,
    can: (need: Role) => allows(role, need),
    gate: (need: Role, own: { disabled?: boolean; title?: string } = {}): GateProps =>
      allows(role, need)
        ? { disabled: own.disabled ?? false, title: own.title }
        : { disabled: true, title: needsRoleText(need, role) },
  };
}
