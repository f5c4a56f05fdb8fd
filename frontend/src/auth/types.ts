/**
 * The auth operations of the API (issue 11), typed by hand until the committed snapshot
 * (src/api/openapi.json) has them; then these become names for the generated schemas.
 */

export type AuthMode = 'off' | 'token' | 'oidc';
export type Role = 'viewer' | 'editor' | 'admin';

export interface OidcSettings {
  issuer: string;
  client_id: string;
  scope: string;
}

/** `GET /api/auth/config` (no credentials needed). */
export interface AuthConfig {
  mode: AuthMode;
  oidc: OidcSettings | null;
}

/** `GET /api/auth/me`: who the credentials speak for. */
export interface Me {
  subject: string;
  name: string | null;
  role: Role;
  mode: AuthMode;
}

/** `POST /api/ws-ticket`: a short-lived ticket for `/ws?ticket=…`. */
export interface WsTicket {
  ticket: string;
  expires_in: number;
}

/** An API token as `GET /api/tokens` lists it (never with its secret). */
export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** `POST /api/tokens` body. */
export interface NewApiToken {
  name: string;
  role: Role;
  expires_in_days: number | null;
}

/** `POST /api/tokens` answer: the token and its secret, shown this once. */
export interface CreatedApiToken extends ApiToken {
  secret: string;
}

/** Who is using the app when the server has no authentication. */
export const ANONYMOUS: Me = { subject: 'anonymous', name: null, role: 'admin', mode: 'off' };
