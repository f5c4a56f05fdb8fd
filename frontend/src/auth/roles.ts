import type { Role } from './types';

export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** Whether `role` may do what needs `need` (each role includes the ones below it). */
export function allows(role: Role, need: Role): boolean {
  return RANK[role] >= RANK[need];
}

const article = (role: Role) => (role === 'admin' || role === 'editor' ? 'an' : 'a');

/** The tooltip of a control the role cannot use. */
export function needsRoleText(need: Role, current: Role): string {
  return `Needs the ${need} role; you are ${article(current)} ${current}.`;
}

// Writes only admins make (issue 11): the algorithm catalogue, data sources and tokens.
const ADMIN_PATHS = /^\/api\/(algorithms?|datasources?|tokens?)(\/|$)/;

/**
 * The role a refused (403) request needed. An editor can only be missing admin (deleting what
 * others created, the catalogue, sources, tokens); a viewer needs editor unless the path is an
 * admin-only one. Null for an admin (nothing is above it).
 */
export function roleNeededAfter403(method: string, path: string, current: Role): Role | null {
  if (current === 'admin') return null;
  if (current === 'editor') return 'admin';
  return method.toUpperCase() !== 'GET' && ADMIN_PATHS.test(path) ? 'admin' : 'editor';
}

/** The server's 403 sentence, completed with the role needed when it does not name it. */
export function forbiddenMessage(serverMessage: string | null, needed: Role | null, current: Role): string {
  const base = serverMessage?.trim() || 'Your role does not allow this.';
  if (!needed || base.toLowerCase().includes(needed)) return base;
  const stop = /[.!?]$/.test(base) ? '' : '.';
  return `${base}${stop} ${needsRoleText(needed, current)}`;
}
