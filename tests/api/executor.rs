//! A small executor that follows the MPCSL contract (executor-contract.md): it downloads the
//! dataset, then behaves as its `--mode` parameter says. Written to a file by each test.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json};

pub const SCRIPT: &str = r#"
import argparse, json, sys, time, urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("script")
parser.add_argument("-j", type=int)
parser.add_argument("-d", type=int)
parser.add_argument("--api_host")
parser.add_argument("--send_sepsets", type=int)
parser.add_argument("--mode", default="ok")
parser.add_argument("--edges", type=int, default=1)
args, _ = parser.parse_known_args()
base = "http://" + args.api_host
print("executor for job", args.j, "mode", args.mode, flush=True)
started = time.time()
csv = urllib.request.urlopen(f"{base}/api/dataset/{args.d}/loadwithids").read().decode()
ids = [int(i) for i in csv.split("\r\n")[0].split(",")]
print("loaded", len(csv.split("\r\n")) - 2, "rows", flush=True)
if args.mode == "crash":
    print("something went wrong", file=sys.stderr, flush=True)
    sys.exit(3)
if args.mode in ("report", "report_and_hang"):
    urllib.request.urlopen(urllib.request.Request(f"{base}/api/job/{args.j}", method="PUT"))
    time.sleep(0.5 if args.mode == "report" else 120)
    print("exiting after the report", flush=True)
    sys.exit(1)
if args.mode == "sleep":
    time.sleep(120)
if args.mode == "slow":
    time.sleep(4)
if args.mode == "brief":
    time.sleep(1)
if args.mode == "silent":
    sys.exit(0)
edges = [{"from_node": ids[0], "to_node": ids[1 % len(ids)], "weight": 0.5}] * args.edges
body = {"job_id": args.j, "edge_list": edges, "meta_results": {"mode": args.mode},
        "execution_time": 1.25, "dataset_loading_time": time.time() - started}
request = urllib.request.Request(f"{base}/api/job/{args.j}/result", data=json.dumps(body).encode(), method="POST")
print("uploaded", urllib.request.urlopen(request).status, flush=True)
"#;

/// An algorithm run by the script above, an experiment over a small dataset, and its id.
pub async fn experiment(app: &TestApp, mode: &str) -> Value {
    let path = std::path::Path::new(&app.state.config.work_dir).join("fake_executor.py");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, SCRIPT).unwrap();
    let algorithm = app
        .catalogue_algorithm(json!({"package": "test", "function": mode, "script_filename": "fake.py",
                "local_command": ["python3", path.to_string_lossy()],
                "valid_parameters": {"mode": {"type": "enum", "values": ["ok", "crash", "report", "report_and_hang", "sleep", "silent", "slow", "brief"]},
                                     "edges": {"type": "int", "minimum": 1}}}))
        .await;
    let table = format!("obs_{mode}");
    let dataset = app.dataset_over(&table, "x int, y int", "(1, 2), (3, 4)").await;
    expect_json(
        app.post_json(
            "/api/experiments",
            &json!({"name": mode, "dataset_id": dataset["id"], "algorithm_id": algorithm["id"],
                    "parameters": {"mode": mode}}),
        )
        .await,
        StatusCode::OK,
    )
    .await
}
