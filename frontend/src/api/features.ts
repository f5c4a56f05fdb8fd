import { operations } from './operations.gen';

/** Whether the OpenAPI snapshot (and so the server it came from) has an operation. */
export function hasOperation(method: string, path: string): boolean {
  return operations.has(`${method.toLowerCase()} ${path.replace(/\{[^}]*\}/g, '{}')}`);
}

const fromSnapshot = {
  results: hasOperation('get', '/result/{id}'),
  compare: hasOperation('get', '/result/{id}/compare/{other}'),
  gtCompare: hasOperation('get', '/result/{id}/gtcompare'),
  export: hasOperation('get', '/result/{id}/export'),
  edgeInformation: hasOperation('get', '/edgeinformation/{id}'),
  groundTruthUpload: hasOperation('post', '/dataset/{id}/ground-truth'),
  groundTruthExport: hasOperation('get', '/dataset/{id}/ground-truth'),
  distributions: hasOperation('get', '/node/{id}/marginal'),
  conditional: hasOperation('post', '/node/{id}/conditional'),
  generation: hasOperation('post', '/jobs/dataset_generation'),
};

export type Feature = keyof typeof fromSnapshot;

/**
 * Screens built ahead of the server (src/api/pending.ts) switch on when their endpoints are in
 * the snapshot. `window.__causewayFeatures = {results: true, …}`, set before the app loads,
 * switches them on regardless: the e2e tests use it to preview those screens against mocked
 * endpoints.
 */
const overrides = (globalThis as { __causewayFeatures?: Partial<Record<Feature, boolean>> }).__causewayFeatures ?? {};

export const features: Readonly<Record<Feature, boolean>> = { ...fromSnapshot, ...overrides };
