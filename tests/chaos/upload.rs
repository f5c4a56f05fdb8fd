//! Collector `kill -9` during a 1M-edge result upload. The test plays the executor (neither
//! `causeway-pc` nor MPCSL's executors retry a POST whose request went out): the first upload
//! is cut halfway by the kill, and is sent again, whole, once the collector is back.

use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};

use crate::{
    ONE_AT_A_TIME,
    cluster::Cluster,
    counts::{Counts, counts, lost_jobs},
};

const EDGES: usize = 1_000_000;
const EDGES_PER_CHUNK: usize = 10_000;

/// The result document in chunks: its head, then [`EDGES`] edges over `nodes`, then its end.
fn chunks(job_id: i64, nodes: &[i32]) -> Vec<Bytes> {
    let mut chunks = vec![Bytes::from(format!(
        "{{\"job_id\": {job_id}, \"meta_results\": {{\"chaos\": true}}, \"execution_time\": 1.5, \
         \"dataset_loading_time\": 0.25, \"edge_list\": ["
    ))];
    for chunk in 0..EDGES / EDGES_PER_CHUNK {
        let mut text = String::with_capacity(EDGES_PER_CHUNK * 48);
        for i in chunk * EDGES_PER_CHUNK..(chunk + 1) * EDGES_PER_CHUNK {
            if i > 0 {
                text.push(',');
            }
            let (from, to) = (nodes[i % nodes.len()], nodes[(i + 1) % nodes.len()]);
            text.push_str(&format!("{{\"from_node\": {from}, \"to_node\": {to}, \"weight\": 0.5}}"));
        }
        chunks.push(Bytes::from(text));
    }
    chunks.push(Bytes::from_static(b"]}"));
    chunks
}

/// The job id and `--api_host` (with its token) the executor was started with.
async fn executor_arguments(cluster: &Cluster) -> (i64, String) {
    let path = cluster.dir.path().join("executor-args");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let text = loop {
        if let Ok(text) = std::fs::read_to_string(&path) {
            break text;
        }
        assert!(tokio::time::Instant::now() < deadline, "the executor did not start\n{}", cluster.logs());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let args: Vec<&str> = text.lines().collect();
    let after = |flag: &str| args.iter().skip_while(|a| **a != flag).nth(1).map(|a| a.to_string());
    (after("-j").unwrap().parse().unwrap(), after("--api_host").unwrap())
}

async fn stored(cluster: &Cluster, job_id: i64) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM result WHERE job_id = $1), \
                (SELECT count(*) FROM edge e JOIN result r ON r.id = e.result_id WHERE r.job_id = $1)",
    )
    .bind(job_id as i32)
    .fetch_one(&cluster.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn chaos_collector_kill_9_during_a_1m_edge_upload() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start().await;
    cluster.start_scheduler("scheduler");
    // An executor that records its arguments and waits: the test uploads in its place.
    let script = cluster.dir.path().join("executor.sh");
    let args = cluster.dir.path().join("executor-args");
    std::fs::write(
        &script,
        format!("printf '%s\\n' \"$@\" > {0}.tmp && mv {0}.tmp {0}\nexec sleep 60\n", args.display()),
    )
    .unwrap();
    cluster
        .load_catalogue_entry(json!({"package": "chaos", "function": "upload", "script_filename": "upload",
        "local_command": ["sh", script.to_string_lossy()], "valid_parameters": {}}));
    let dataset = cluster.dataset().await;
    let algorithm = cluster.algorithm("chaos", "upload").await;
    let experiment = cluster.experiment(&dataset, algorithm, json!({})).await;
    cluster.start_runs(&experiment, 1).await;
    let (job_id, api_host) = executor_arguments(&cluster).await;
    let nodes: Vec<i32> = sqlx::query_scalar("SELECT id FROM node WHERE dataset_id = $1 ORDER BY id")
        .bind(dataset["id"].as_i64().unwrap() as i32)
        .fetch_all(&cluster.pool)
        .await
        .unwrap();
    let body = chunks(job_id, &nodes);
    let url = format!("http://{api_host}/api/job/{job_id}/result");

    // First attempt: half the edges go out, then the collector is killed.
    let (half_sent, halfway) = tokio::sync::oneshot::channel::<()>();
    let (killed, after_kill) = tokio::sync::oneshot::channel::<()>();
    let half = body.len() / 2;
    let first: Vec<Bytes> = body.clone();
    let stream = futures::stream::unfold(
        (first.into_iter().enumerate(), Some(half_sent), Some(after_kill)),
        move |(mut chunks, mut half_sent, mut after_kill)| async move {
            let (i, chunk) = chunks.next()?;
            if i == half {
                let _ = half_sent.take()?.send(());
                let _ = after_kill.take()?.await;
            }
            Some((Ok::<_, std::io::Error>(chunk), (chunks, half_sent, after_kill)))
        },
    );
    let http = cluster.http.clone();
    let cut_url = url.clone();
    let upload = tokio::spawn(async move {
        http.post(cut_url)
            .header("Content-Type", "application/json")
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await
    });
    halfway.await.unwrap();
    let collector = cluster.kill("collector");
    killed.send(()).unwrap();
    let cut = upload.await.unwrap();
    assert!(cut.as_ref().map_or(true, |r| !r.status().is_success()), "the cut upload succeeded: {cut:?}");
    assert_eq!(stored(&cluster, job_id).await, (0, 0), "no partial result is stored");
    let job = cluster.get(&format!("/api/job/{job_id}")).await;
    assert_eq!(job["status"], "running", "{job}");

    // The executor's retry, once the collector is back: stored exactly once.
    cluster.restart("collector", collector);
    let whole =
        reqwest::Body::wrap_stream(futures::stream::iter(body.into_iter().map(Ok::<_, std::io::Error>)));
    let response =
        cluster.http.post(&url).header("Content-Type", "application/json").body(whole).send().await.unwrap();
    let status = response.status();
    assert!(status.is_success(), "the retry answered {status}: {}", response.text().await.unwrap());
    assert_eq!(stored(&cluster, job_id).await, (1, EDGES as i64));
    let counts = counts(&cluster.pool, Duration::from_secs(60)).await;
    println!("chaos: collector kill -9 during a 1M-edge upload, then the retry: {counts}");
    assert_eq!(counts, Counts { lost: 0, duplicated: 0, stuck: 0 }, "{}", lost_jobs(&cluster.pool).await);
    let job: Value = cluster.get(&format!("/api/job/{job_id}")).await;
    assert_eq!(job["status"], "done", "{job}");
}
