import { ApiError, toApiError } from '../api/errors';
import { authFetch } from './credentials';
import type { ApiToken, AuthConfig, CreatedApiToken, Me, NewApiToken, WsTicket } from './types';

// The auth operations are not in the committed snapshot yet (the server gains them with issue
// 11), so their paths are written here, in this one module, until the typed client has them.

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await authFetch(`/api${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'Cannot reach the Causeway server. Is it running?');
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* keep the text */
  }
  if (!response.ok) throw toApiError(response.status, parsed);
  return parsed as T;
}

export const fetchAuthConfig = () => call<AuthConfig>('GET', '/auth/config');
export const fetchMe = () => call<Me>('GET', '/auth/me');
export const createWsTicket = () => call<WsTicket>('POST', '/ws-ticket');

export const listTokens = () => call<ApiToken[]>('GET', '/tokens');
export const createToken = (body: NewApiToken) => call<CreatedApiToken>('POST', '/tokens', body);
export const revokeToken = (id: number) => call<ApiToken>('DELETE', `/token/${encodeURIComponent(id)}`);
