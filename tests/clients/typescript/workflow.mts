// MPCSL's main workflow through openapi-fetch, typed by openapi-typescript's rendering of the
// server's document (scripts/client-workflows generates schema.d.ts beside this file, type-checks
// both with tsc, then runs the result with Node).
//
//   node dist/workflow.mjs BASE_URL TOKEN      (BASE_URL ends in /api)

import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

const [baseUrl, token] = process.argv.slice(2);
const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

type ExportFormat = NonNullable<NonNullable<paths["/result/{result_id}/export"]["get"]["parameters"]["query"]>["format"]>;
const FORMATS: ExportFormat[] = ["gexf", "graphml", "gml", "node_link_data.json"];
const POLL_DEADLINE_MS = 90_000;

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** The body of a 200 answer; anything else fails with what the server said. */
function ok<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  check(answer.response.status === 200, `${answer.response.url}: ${answer.response.status} ${JSON.stringify(answer.error)}`);
  return answer.data as T;
}

function multipart(fields: Record<string, string | Blob>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

/** Binary samples of a → b → c (each copies its parent with probability 0.9), seeded. */
function chainCsv(rows = 400): string {
  let state = 7;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ["a,b,c"];
  for (let i = 0; i < rows; i++) {
    const a = random() < 0.5 ? 0 : 1;
    const b = random() < 0.9 ? a : 1 - a;
    const c = random() < 0.9 ? b : 1 - b;
    lines.push(`${a},${b},${c}`);
  }
  return lines.join("\n") + "\n";
}

const algorithms = ok(await api.GET("/algorithms"));
const nativePc = algorithms.find((a) => a.package === "causeway" && a.function === "pc");
check(nativePc, "the seeded native PC is listed");
ok(await api.GET("/experiments"));

const dataset = ok(
  await api.POST("/datasets/upload", {
    body: { file: "", name: "client workflow (typescript)" },
    bodySerializer: () =>
      multipart({ file: new Blob([chainCsv()], { type: "text/csv" }), name: "client workflow (typescript)" }),
  }),
);
const experiment = ok(
  await api.POST("/experiments", {
    body: {
      name: "client workflow (typescript)",
      dataset_id: dataset.id,
      algorithm_id: nativePc.id,
      parameters: { alpha: 0.05, independence_test: "disCI", cores: 1 },
    },
  }),
);
check(experiment.last_job === null, "a new experiment has no job");

let job: components["schemas"]["Job"] = ok(
  await api.POST("/experiment/{experiment_id}/start", { params: { path: { experiment_id: experiment.id } }, body: {} }),
);
const seen = new Set<string>([job.status]);
const deadline = Date.now() + POLL_DEADLINE_MS;
while (job.status === "waiting" || job.status === "running") {
  check(Date.now() < deadline, `job ${job.id} still ${job.status}`);
  await new Promise((resolve) => setTimeout(resolve, 200)); // polling is the workflow under test
  job = ok(await api.GET("/job/{job_id}", { params: { path: { job_id: job.id } } }));
  seen.add(job.status);
}
check(job.status === "done" && job.result, `job ended ${job.status}: ${job.log}`);
const resultId = job.result.id;
const path = { result_id: resultId };

const result = ok(await api.GET("/result/{result_id}", { params: { path } }));
const names = new Map(result.nodes.map((n) => [n.id, n.name]));
const edges = ok(await api.GET("/result/{result_id}/edges", { params: { path } }));
const learned = edges.map((e) => `${names.get(e.from_node_id)}->${names.get(e.to_node_id)}`);
check(learned.length > 0 && !learned.includes("a->c") && !learned.includes("c->a"), `edges ${learned}`);

const none = await api.GET("/result/{result_id}/gtcompare", { params: { path } });
check(ok(none) === null, "no ground truth: null");
const gml =
  'graph [\n  directed 1\n  node [ id 0 label "a" ]\n  node [ id 1 label "b" ]\n  node [ id 2 label "c" ]\n' +
  "  edge [ source 0 target 1 ]\n  edge [ source 1 target 2 ]\n]\n";
ok(
  await api.POST("/dataset/{dataset_id}/ground-truth", {
    params: { path: { dataset_id: dataset.id } },
    body: { graph_file: "" },
    bodySerializer: () => multipart({ graph_file: new Blob([gml]) }),
  }),
);
const comparison = ok(await api.GET("/result/{result_id}/gtcompare", { params: { path } }));
check(comparison !== null && comparison.skeleton !== undefined, "a comparison with the ground truth");

for (const format of FORMATS) {
  const answer = await api.GET("/result/{result_id}/export", { params: { path, query: { format } }, parseAs: "text" });
  const text = ok(answer) as string;
  const type = answer.response.headers.get("content-type") ?? "";
  if (format === "gexf" || format === "graphml") {
    check(type.startsWith(`application/${format}+xml`), `${format}: ${type}`);
    check(text.startsWith("<?xml") && text.includes(`<${format}`), `${format}: ${text.slice(0, 200)}`);
  } else if (format === "gml") {
    check(type.startsWith("text/plain") && text.trimStart().startsWith("graph ["), `gml: ${text.slice(0, 200)}`);
  } else {
    check(JSON.parse(text).links.length === learned.length, `json: ${text.slice(0, 200)}`);
  }
}

const csv = ok(
  await api.GET("/dataset/{dataset_id}/load", { params: { path: { dataset_id: dataset.id } }, parseAs: "text" }),
) as string;
const rows = csv.trim().split(/\r?\n/);
check(rows[0] === "a,b,c" && rows.length === 401, `csv: ${rows.slice(0, 2)}`);
const withIds = ok(
  await api.GET("/dataset/{dataset_id}/loadwithids", { params: { path: { dataset_id: dataset.id } }, parseAs: "text" }),
) as string;
check(withIds.split(/\r?\n/)[0].split(",").every((id) => names.has(Number(id))), "node ids in the header");

console.log(`typescript client workflow: ok (job states ${[...seen].sort()}, ${learned.length} edges)`);
