/**
 * Endpoints announced for Causeway but not yet in its OpenAPI document (MPCSL's paths, api.md
 * §9): marginal and conditional distributions. This is the only module that names endpoints by
 * hand.
 *
 * When an endpoint lands in `openapi.json`, `features` (features.ts) turns the screen part that
 * uses it on; then replace its function here by a call through the typed client (`api.GET(…)`)
 * in queries.ts, its hand-written type by the generated one (types.ts), and delete this module.
 */
import { ApiError, toApiError } from './errors';
import type { Node } from './types';

export interface Distribution {
  node: Node;
  categorical: boolean;
  /** Categorical: value → count. Continuous: counts per bin. */
  bins: Record<string, number> | number[];
  /** Continuous only: bins.length + 1 edges. */
  bin_edges?: number[];
  conditions?: Record<string, Condition>;
}

export type Condition =
  | { categorical: true; values: (string | number)[] }
  | { categorical: false; from_value: number; to_value: number };

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
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
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  if (!response.ok) throw toApiError(response.status, parsed);
  return parsed as T;
}

const id = (n: number) => encodeURIComponent(String(n));

export const pending = {
  marginal: (nodeId: number) => request<Distribution>('GET', `/api/node/${id(nodeId)}/marginal`),

  conditional: (nodeId: number, conditions: Record<string, Condition>) =>
    request<Distribution>('POST', `/api/node/${id(nodeId)}/conditional`, { conditions }),
};
