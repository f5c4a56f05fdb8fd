//! Graph-analytics benchmarks (`cargo bench --bench graphs`), one line per figure (median of 5):
//! `gtcompare` and `export` of a 1,000-node, 100,000-edge result, and the marginal distribution
//! of a 1,000,000-row column. Targets: each ≤ 1 s; marginal ≤ 0.3 s.

mod common;

use std::time::Instant;

use common::{Bench, median};

const NODES: usize = 1_000;
const EDGES: usize = 100_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let bench = Bench::start(|_| {}).await?;
    let client = reqwest::Client::new();
    let columns: Vec<String> = (0..NODES).map(|i| format!("0 AS v{i}")).collect();
    bench
        .sql(&format!("CREATE TABLE wide AS SELECT {} FROM generate_series(1, 5)", columns.join(", ")))
        .await?;
    let dataset: serde_json::Value = client
        .post(format!("{}/api/datasets", bench.base))
        .json(&serde_json::json!({"name": "wide", "load_query": "SELECT * FROM wide"}))
        .send()
        .await?
        .json()
        .await?;
    let dataset_id = dataset["id"].as_i64().unwrap_or_default();
    let pool = &bench.state.pool;
    let nodes: Vec<i32> = sqlx::query_scalar("SELECT id FROM node ORDER BY id").fetch_all(pool).await?;
    bench
        .sql(&format!(
            "INSERT INTO algorithm (package, function) VALUES ('b', 'b'); \
             INSERT INTO experiment (dataset_id, name, algorithm_id, parameters) VALUES ({dataset_id}, 'b', 1, '{{}}'); \
             INSERT INTO job (type, experiment_id) VALUES ('experiment_job', 1)"
        ))
        .await?;
    // A result of 100k distinct arcs and a ground truth of 2,000 arcs.
    let mut edges = Vec::with_capacity(EDGES);
    let mut state = 12345u64;
    let mut seen = std::collections::HashSet::new();
    while edges.len() < EDGES {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let (a, b) = ((state >> 33) as usize % NODES, (state >> 13) as usize % NODES);
        if a != b && seen.insert((a, b)) {
            edges.push(serde_json::json!({"from_node": nodes[a], "to_node": nodes[b], "weight": 0.5}));
        }
    }
    let upload = serde_json::json!({"edge_list": edges});
    let response = client.post(format!("{}/api/job/1/result", bench.base)).json(&upload).send().await?;
    anyhow::ensure!(response.status().is_success(), "upload failed: {}", response.text().await?);
    let result: serde_json::Value = response.json().await?;
    let result_id = result["id"].as_i64().unwrap_or_default();
    bench
        .sql(&format!(
            "INSERT INTO edge (from_node_id, to_node_id, is_ground_truth) \
             SELECT a.id, b.id, true FROM node a JOIN node b ON b.id = a.id + 1 OR b.id = a.id + 7 \
             WHERE a.dataset_id = {dataset_id} AND b.dataset_id = {dataset_id}"
        ))
        .await?;

    let time = |path: String| {
        let client = client.clone();
        async move {
            let mut times = vec![];
            let mut bytes = 0;
            for _ in 0..5 {
                let started = Instant::now();
                let response = client.get(&path).send().await?;
                anyhow::ensure!(response.status().is_success(), "{path}: {}", response.status());
                bytes = response.bytes().await?.len();
                times.push(started.elapsed().as_secs_f64());
            }
            Ok::<_, anyhow::Error>((median(times), bytes))
        }
    };
    let (seconds, bytes) = time(format!("{}/api/result/{result_id}/gtcompare", bench.base)).await?;
    println!("gtcompare_1000_nodes_100k_edges: {seconds:.3} s ({:.1} MB JSON)", bytes as f64 / 1e6);
    for format in ["gexf", "graphml", "gml", "node_link_data.json"] {
        let (seconds, bytes) =
            time(format!("{}/api/result/{result_id}/export?format={format}", bench.base)).await?;
        println!("export_{format}_1000_nodes_100k_edges: {seconds:.3} s ({:.1} MB)", bytes as f64 / 1e6);
    }

    bench.sql("CREATE TABLE tall AS SELECT random() * 100 AS x FROM generate_series(1, 1000000)").await?;
    let tall: serde_json::Value = client
        .post(format!("{}/api/datasets", bench.base))
        .json(&serde_json::json!({"name": "tall", "load_query": "SELECT x FROM tall"}))
        .send()
        .await?
        .json()
        .await?;
    let node: i32 = sqlx::query_scalar("SELECT id FROM node WHERE dataset_id = $1")
        .bind(tall["id"].as_i64().unwrap_or_default() as i32)
        .fetch_one(pool)
        .await?;
    let (seconds, _) = time(format!("{}/api/node/{node}/marginal", bench.base)).await?;
    println!("marginal_1m_rows: {seconds:.3} s");
    bench.finish().await
}
