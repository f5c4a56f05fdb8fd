import { forbiddenMessage, roleNeededAfter403 } from './roles';
import type { Role } from './types';

/**
 * The credentials every request carries (an API token or an OIDC access token), the role they
 * hold (to explain a 403), and who is told when the server answers 401. No React in here: the
 * REST client, uploads, downloads and the live feed all read it.
 */
class Credentials {
  private bearer: string | null = null;
  private listeners = new Set<() => void>();
  /** the signed-in role; admin while the server has no authentication */
  role: Role = 'admin';

  get token(): string | null {
    return this.bearer;
  }

  set(bearer: string | null, role: Role = this.role): void {
    this.bearer = bearer;
    this.role = role;
  }

  /** `{Authorization: Bearer …}`, or nothing when there is no credential. */
  header(): Record<string, string> {
    return this.bearer ? { Authorization: `Bearer ${this.bearer}` } : {};
  }

  /** Calls `fn` on every 401; returns the unsubscribe function. */
  onRejected(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A request was answered 401: the credential is missing, bad, expired or revoked. */
  rejected(): void {
    for (const fn of [...this.listeners]) fn();
  }
}

export const credentials = new Credentials();

/**
 * What a refused request's error body becomes: on 401 the owner is told (back to the login),
 * on 403 the message names the role needed. Other bodies pass through unchanged.
 */
export function explainRefusal(method: string, url: string, status: number, body: unknown): unknown {
  if (status === 401) credentials.rejected();
  if (status !== 403) return body;
  const message = body && typeof body === 'object' ? (body as { message?: unknown }).message : body;
  const path = new URL(url, 'http://origin.invalid').pathname;
  const needed = roleNeededAfter403(method, path, credentials.role);
  return { message: forbiddenMessage(typeof message === 'string' ? message : null, needed, credentials.role) };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.clone().text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/**
 * The auth step of every fetch: adds the bearer to `request`, and after `response` applies
 * explainRefusal (a 403 answer is rebuilt with the completed message).
 */
export const authStep = {
  request(request: Request): Request {
    const header = credentials.header();
    if (header.Authorization) request.headers.set('Authorization', header.Authorization);
    return request;
  },
  async response(request: Request, response: Response): Promise<Response> {
    if (response.status !== 401 && response.status !== 403) return response;
    const body = explainRefusal(request.method, request.url, response.status, await readBody(response));
    if (response.status === 401) return response;
    const headers = new Headers(response.headers);
    headers.set('content-type', 'application/json');
    return new Response(JSON.stringify(body), { status: response.status, statusText: response.statusText, headers });
  },
};

/** fetch with the credentials, for the requests that do not go through the typed client. */
export async function authFetch(input: string, init: RequestInit = {}): Promise<Response> {
  const request = authStep.request(new Request(new URL(input, window.location.href), init));
  return authStep.response(request, await fetch(request));
}
