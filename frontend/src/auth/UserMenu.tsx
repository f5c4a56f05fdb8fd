import { useAuth } from './AuthProvider';

/** The header's account part: who is signed in, with which role, and Log out (none with auth off). */
export function UserMenu() {
  const { mode, me, logout } = useAuth();
  if (mode === 'off') return null;
  return (
    <div className="user-menu" data-testid="user-menu">
      <span className="user-name" title={me.subject}>
        {me.name || me.subject}
      </span>
      <span className={`badge role role-${me.role}`} data-testid="user-role">
        {me.role}
      </span>
      <button type="button" className="small ghost on-dark" onClick={logout}>
        Log out
      </button>
    </div>
  );
}
