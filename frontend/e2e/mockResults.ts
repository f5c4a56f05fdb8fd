/**
 * Stand-ins for the endpoints the server does not have yet (comparison, export, distributions:
 * api.md §6.7–6.9 and §9), so the screens that use them can be driven end to end today. Only
 * endpoints missing from the server's OpenAPI document are answered here; as each lands, the
 * tests use the real one without a change. Answers follow api.md's definitions, computed from
 * the server's own data (result edges, dataset rows).
 */
import type { Page, Route } from 'playwright-core';
import { apiJson, apiText } from './harness';

type Pair = [number, number];

interface Condition {
  categorical: boolean;
  values?: (string | number)[];
  from_value?: number;
  to_value?: number;
}

/** Endpoints this module can stand in for, as OpenAPI paths. */
const PENDING = {
  compare: { method: 'get', path: '/result/{result_id}/compare/{other_result_id}', re: /^\/result\/(\d+)\/compare\/(\d+)$/ },
  gtcompare: { method: 'get', path: '/result/{result_id}/gtcompare', re: /^\/result\/(\d+)\/gtcompare$/ },
  export: { method: 'get', path: '/result/{result_id}/export', re: /^\/result\/(\d+)\/export$/ },
  marginal: { method: 'get', path: '/node/{node_id}/marginal', re: /^\/node\/(\d+)\/marginal$/ },
  conditional: { method: 'post', path: '/node/{node_id}/conditional', re: /^\/node\/(\d+)\/conditional$/ },
} as const;
type PendingName = keyof typeof PENDING;

/** The features (src/api/features.ts) to switch on for the mocked endpoints. */
export const MOCKED_FEATURES: Record<PendingName, string> = {
  compare: 'compare',
  gtcompare: 'gtCompare',
  export: 'export',
  marginal: 'distributions',
  conditional: 'conditional',
};

export class PendingMock {
  /** which endpoints this server lacks (and so are mocked) */
  missing: PendingName[] = [];
  private nodes: { id: number; name: string }[] = [];
  private data = new Map<number, number[]>();

  constructor(
    private readonly datasetId: number,
    /** ground-truth edges as [from name, to name] */
    private readonly groundTruth: [string, string][],
  ) {}

  async init(): Promise<void> {
    const doc = await apiJson<{ paths: Record<string, Record<string, unknown>> }>('/openapi.json');
    const has = (method: string, path: string) => {
      const norm = (p: string) => p.replace(/\{[^}]*\}/g, '{}');
      return Object.entries(doc.paths).some(([p, ops]) => norm(p) === norm(path) && method in ops);
    };
    this.missing = (Object.keys(PENDING) as PendingName[]).filter((n) => !has(PENDING[n].method, PENDING[n].path));
    const [names, ids] = await Promise.all([
      apiText(`/dataset/${this.datasetId}/load`),
      apiText(`/dataset/${this.datasetId}/loadwithids`).then((t) => t.split(/\r?\n/, 1)[0]),
    ]);
    const lines = names.trim().split(/\r?\n/);
    const header = lines[0].split(',');
    const idList = ids.split(',').map(Number);
    this.nodes = header.map((name, i) => ({ id: idList[i], name }));
    header.forEach((_, c) => this.data.set(idList[c], lines.slice(1).map((l) => Number(l.split(',')[c]))));
  }

  async install(page: Page): Promise<void> {
    if (this.missing.length === 0) return;
    await page.route(/\/api\/(result|node)\//, (route) => this.handle(route));
  }

  private gtPairs(): Pair[] {
    const id = (name: string) => this.nodes.find((n) => n.name === name)!.id;
    return this.groundTruth.map(([a, b]) => [id(a), id(b)]);
  }

  private async resultPairs(resultId: number): Promise<Pair[]> {
    const r = await apiJson<{ edges: { from_node_id: number; to_node_id: number }[] }>(`/result/${resultId}`);
    return r.edges.map((e) => [e.from_node_id, e.to_node_id]);
  }

  /** api.md §6.8: `reference` plays the ground truth, `candidate` is judged. */
  compare(reference: Pair[], candidate: Pair[]) {
    const key = (p: Pair) => `${p[0]}-${p[1]}`;
    const R = new Set(reference.map(key));
    const C = new Set(candidate.map(key));
    const all: Pair[] = [];
    for (const a of this.nodes) for (const b of this.nodes) if (a.id !== b.id) all.push([a.id, b.id]);
    const tp = all.filter((p) => R.has(key(p)) && C.has(key(p)));
    const fp = all.filter((p) => !R.has(key(p)) && C.has(key(p)));
    const fn = all.filter((p) => R.has(key(p)) && !C.has(key(p)));
    const tn = all.filter((p) => !R.has(key(p)) && !C.has(key(p)));
    const rate = (a: number, b: number) => (a + b === 0 ? 0 : a / (a + b));
    const succ = (set: Set<string>, v: number) => new Set(this.nodes.filter((n) => set.has(`${v}-${n.id}`)).map((n) => n.id));
    const jaccard =
      this.nodes.reduce((sum, n) => {
        const a = succ(C, n.id);
        const b = succ(R, n.id);
        const union = new Set([...a, ...b]).size;
        return sum + (union === 0 ? 1 : [...a].filter((x) => b.has(x)).length / union);
      }, 0) / this.nodes.length;
    const fpr = rate(fp.length, tn.length);
    const fnr = rate(fn.length, tp.length);
    return {
      graph_edit_distance: fp.length + fn.length,
      mean_jaccard_coefficient: jaccard,
      error_types: {
        false_positives: { rate: fpr, edges: fp },
        true_negatives: { rate: 1 - fpr, edges: tn },
        false_negatives: { rate: fnr, edges: fn },
        true_positives: { rate: 1 - fnr, edges: tp },
        precision: { rate: rate(tp.length, fp.length) },
      },
      hamming_distance: (fp.length + fn.length) / all.length,
      hamming_distance_pcdag: -1,
    };
  }

  private categorical(values: number[]) {
    const bins: Record<string, number> = {};
    for (const v of [...new Set(values)].sort((a, b) => a - b)) bins[String(v)] = values.filter((x) => x === v).length;
    return bins;
  }

  private node(id: number) {
    const n = this.nodes.find((x) => x.id === id)!;
    return { id: n.id, name: n.name, dataset_id: this.datasetId, dataset: this.datasetId };
  }

  marginal(nodeId: number) {
    return { node: this.node(nodeId), dataset: { id: this.datasetId }, categorical: true, bins: this.categorical(this.data.get(nodeId)!) };
  }

  conditional(nodeId: number, conditions: Record<string, Condition>) {
    const target = this.data.get(nodeId)!;
    const keep = target.map((_, row) =>
      Object.entries(conditions).every(([id, c]) => {
        const v = this.data.get(Number(id))![row];
        return c.categorical ? (c.values ?? []).map(String).includes(String(v)) : v >= c.from_value! && v <= c.to_value!;
      }),
    );
    return { ...this.marginal(nodeId), bins: this.categorical(target.filter((_, i) => keep[i])), conditions };
  }

  private async handle(route: Route): Promise<void> {
    const req = route.request();
    const path = new URL(req.url()).pathname.replace(/^\/api/, '');
    const json = (body: unknown) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    const match = (name: PendingName) =>
      this.missing.includes(name) && req.method().toLowerCase() === PENDING[name].method ? path.match(PENDING[name].re) : null;
    let m: RegExpMatchArray | null;
    if ((m = match('compare'))) return json(this.compare(await this.resultPairs(Number(m[1])), await this.resultPairs(Number(m[2]))));
    if ((m = match('gtcompare'))) return json(this.compare(this.gtPairs(), await this.resultPairs(Number(m[1]))));
    if ((m = match('export'))) return route.fulfill({ status: 200, contentType: 'text/plain', body: `graph ${m[1]}` });
    if ((m = match('marginal'))) return json(this.marginal(Number(m[1])));
    if ((m = match('conditional'))) return json(this.conditional(Number(m[1]), req.postDataJSON().conditions));
    return route.fallback();
  }
}
