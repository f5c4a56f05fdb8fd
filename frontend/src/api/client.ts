import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { authStep } from '../auth/credentials';
import { ApiError, toApiError } from './errors';

/**
 * The typed REST client: paths, parameters and bodies come from the OpenAPI snapshot. The base
 * is absolute (the page's own origin) so that requests can also be built outside a browser, and
 * `fetch` is looked up per request (not captured once) so that tests can stand in for it.
 */
export const api = createClient<paths>({
  baseUrl: `${globalThis.location?.origin ?? ''}/api`,
  fetch: (request) => globalThis.fetch(request),
});

// Every request carries the credentials; a 401 sends the user to the login, a 403 names the role.
api.use({
  onRequest: ({ request }) => authStep.request(request),
  onResponse: ({ request, response }) => authStep.response(request, response),
});

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiError carrying the
 * server's message. Network failures become an ApiError with status 0.
 */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call;
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'Cannot reach the Causeway server. Is it running?');
  }
  const { data, error, response } = outcome;
  if (!response.ok || error !== undefined) throw toApiError(response.status, error);
  return data as T;
}

type PathParams = Record<string, string | number>;

/**
 * The URL of an operation, for links the browser follows itself (downloads). The path is
 * checked against the schema, so no endpoint string escapes the type checker.
 */
export function apiUrl<P extends keyof paths>(
  path: P,
  params: PathParams = {},
  query: Record<string, string | number | undefined> = {},
): string {
  let url = '/api' + String(path).replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${String(path)}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
  const qs = search.toString();
  if (qs) url += `?${qs}`;
  return url;
}
