/**
 * Pearl's burglary alarm network (CPTs as published with bnlearn's `earthquake`, the same the
 * seed uses), forward-sampled with a fixed seed so every run uploads the same file.
 */
export const COLUMNS = ['Burglary', 'Earthquake', 'Alarm', 'JohnCalls', 'MaryCalls'] as const;
export const GROUND_TRUTH: [string, string][] = [
  ['Burglary', 'Alarm'],
  ['Earthquake', 'Alarm'],
  ['Alarm', 'JohnCalls'],
  ['Alarm', 'MaryCalls'],
];

/** mulberry32: a small seeded PRNG with uniform output in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sampleAlarm(rows: number, seed: number): number[][] {
  const random = rng(seed);
  const bern = (p: number) => (random() < p ? 1 : 0);
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const burglary = bern(0.01);
    const earthquake = bern(0.02);
    const pAlarm = burglary ? (earthquake ? 0.95 : 0.94) : earthquake ? 0.29 : 0.001;
    const alarm = bern(pAlarm);
    const john = bern(alarm ? 0.9 : 0.05);
    const mary = bern(alarm ? 0.7 : 0.01);
    out.push([burglary, earthquake, alarm, john, mary]);
  }
  return out;
}

/** The ground truth as GML, node labels = column names (api.md §3.9). */
export function groundTruthGml(): string {
  const nodes = COLUMNS.map((c, i) => `  node [\n    id ${i}\n    label "${c}"\n  ]`);
  const edges = GROUND_TRUTH.map(
    ([a, b]) => `  edge [\n    source ${COLUMNS.indexOf(a as never)}\n    target ${COLUMNS.indexOf(b as never)}\n  ]`,
  );
  return `graph [\n  directed 1\n${[...nodes, ...edges].join('\n')}\n]\n`;
}

export function toCsv(rows: number[][]): string {
  return [COLUMNS.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}
