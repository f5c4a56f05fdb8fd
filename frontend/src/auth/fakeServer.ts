/**
 * For the unit tests: a stand-in for the Causeway server behind `fetch`. Each route answers by
 * method and path; every request is recorded with its Authorization header.
 */
import { vi } from 'vitest';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
}

export type Answer = [status: number, body: unknown];
/** A route answers JSON (`[status, body]`) or a Response of its own (files). */
export type Routes = Record<string, (request: SeenRequest) => Answer | Response>;

export function fakeServer(routes: Routes) {
  const requests: SeenRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), window.location.href), init);
    const url = new URL(request.url);
    const text = await request.text();
    let body: unknown = text || null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* keep the text */
    }
    const seen: SeenRequest = {
      method: request.method,
      path: url.pathname,
      authorization: request.headers.get('authorization'),
      body,
    };
    requests.push(seen);
    const route = routes[`${seen.method} ${seen.path}`];
    const outcome: Answer | Response = route ? route(seen) : [404, { message: `no route ${seen.method} ${seen.path}` }];
    if (outcome instanceof Response) return outcome;
    const [status, answer] = outcome;
    return new Response(JSON.stringify(answer), { status, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    requests,
    /** the requests to `path` (any method) */
    to: (path: string) => requests.filter((r) => r.path === path),
  };
}

/** `/api/auth/me` as the server answers for a token that names `role`. */
export const meFor = (role: 'viewer' | 'editor' | 'admin', mode: 'token' | 'oidc' = 'token') => ({
  subject: `${role}-subject`,
  name: `Ada ${role}`,
  role,
  mode,
});
