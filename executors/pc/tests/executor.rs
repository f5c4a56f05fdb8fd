//! End-to-end: the `causeway-pc` binary against a tiny in-test HTTP server that plays the
//! backend's two routes (dataset download, result upload) and records every request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use causeway_pc::rng::SplitMix64;
use causeway_pc::synth::linear_gaussian;
use serde_json::Value;

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    body: Vec<u8>,
}

type Handler = dyn Fn(&Request, usize) -> (u16, String) + Send + Sync;

/// A one-request-per-connection HTTP/1.1 server on 127.0.0.1. `handler` gets the request and
/// how many earlier requests had the same method and path.
struct Backend {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<Request>>>,
    thread: Option<JoinHandle<()>>,
}

impl Backend {
    fn start(handler: impl Fn(&Request, usize) -> (u16, String) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (stop, requests) = (stop.clone(), requests.clone());
            std::thread::spawn(move || {
                // Bounded: the test stops it, and it gives up by itself after 60 s.
                for _ in 0..12_000 {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match listener.accept() {
                        Ok((stream, _)) => serve(stream, &*handler, &requests),
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Self { port, stop, requests, thread: Some(thread) }
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, handler: &Handler, requests: &Mutex<Vec<Request>>) {
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let mut content_length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            content_length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body).unwrap();
    let request = Request { method, path, body };
    let seen = {
        let mut all = requests.lock().unwrap();
        let seen = all.iter().filter(|r| r.method == request.method && r.path == request.path).count();
        all.push(request.clone());
        seen
    };
    let (status, text) = handler(&request, seen);
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nX-Content-Length: 0\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )
    .unwrap();
    stream.flush().unwrap();
}

/// A 4-variable Gaussian chain 101 → 102 → 103 → 104 as the backend's CSV (CRLF, one NULL row).
fn chain_csv() -> String {
    let cols = linear_gaussian(4, &[(0, 1), (1, 2), (2, 3)], 2_000, (0.6, 0.9), &mut SplitMix64::new(4));
    let mut csv = String::from("101,102,103,104\r\n");
    for r in 0..cols[0].len() {
        let row: Vec<String> = cols.iter().map(|c| c[r].to_string()).collect();
        csv.push_str(&row.join(","));
        csv.push_str("\r\n");
    }
    csv.push_str("1.0,,2.0,3.0\r\n");
    csv
}

fn run_executor(port: u16, extra: &[&str]) -> Output {
    let host = format!("127.0.0.1:{port}/t/secret-token");
    let mut args = vec![
        "pcalg_pc.r",
        "-j",
        "7",
        "-d",
        "3",
        "--api_host",
        &host,
        "--send_sepsets",
        "1",
        "--alpha",
        "0.01",
        "--independence_test",
        "gaussCI",
        "--cores",
        "2",
        "--subset_size",
        "-1",
        "--verbose",
        "0",
        "--discrete_limit",
        "11",
        "--skeleton_method",
        "stable.fast",
        "--sampling_factor",
        "1.0",
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_causeway-pc"))
        .args(&args)
        .env("CAUSEWAY_PC_RETRY_DELAY_MS", "10")
        .output()
        .unwrap()
}

const LOAD: &str = "/t/secret-token/api/dataset/3/loadwithids";
const RESULT: &str = "/t/secret-token/api/job/7/result";
const JOB: &str = "/t/secret-token/api/job/7";

fn routes(req: &Request, csv: &str) -> (u16, String) {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", LOAD) => (200, csv.to_string()),
        ("POST", RESULT) => (200, "{}".into()),
        ("PUT", JOB) => (200, "{}".into()),
        _ => (404, "{\"message\": \"not found\"}".into()),
    }
}

#[test]
fn uploads_the_result_in_the_contract_shape() {
    let csv = chain_csv();
    let backend = Backend::start(move |req, _| routes(req, &csv));
    let out = run_executor(backend.port, &[]);
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stdout:\n{log}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(!log.contains("secret-token"), "the token must not be logged");

    // One download and one upload: nothing is retried or repeated on the happy path, so
    // `dataset_loading_time` is one request's time (contract §2), with no pause in it.
    let reqs = backend.requests();
    let calls: Vec<(&str, &str)> = reqs.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect();
    assert_eq!(calls, vec![("GET", LOAD), ("POST", RESULT)]);
    assert!(log.contains(", attempt 1)"), "{log}");
    assert!(!log.contains("retrying"), "{log}");

    let body: Value = serde_json::from_slice(&reqs[1].body).unwrap();
    assert_eq!(body["job_id"], 7);
    assert!(body["execution_time"].as_f64().unwrap() >= 0.0);
    assert!(body["dataset_loading_time"].as_f64().unwrap() >= 0.0);

    let meta = body["meta_results"].as_object().unwrap();
    assert!(meta.values().all(|v| !v.is_object() && !v.is_array()), "meta_results must be flat");
    assert_eq!(meta["alpha"], 0.01);
    assert_eq!(meta["independence_test"], "gaussCI");
    assert_eq!(meta["discrete_limit"], "11");
    assert_eq!(meta["n_samples"], 2_000);
    assert_eq!(meta["dropped_rows"], 1);
    assert!(meta["n_tests"].as_u64().unwrap() > 0);
    assert_eq!(meta["api_host"], format!("127.0.0.1:{}/t/***", backend.port));

    // The chain's CPDAG is undirected: each of the 3 edges in both directions.
    let mut edges: Vec<(i64, i64)> = body["edge_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["weight"].as_f64().unwrap() > 0.3, "{e}");
            (e["from_node"].as_i64().unwrap(), e["to_node"].as_i64().unwrap())
        })
        .collect();
    edges.sort_unstable();
    assert_eq!(edges, vec![(101, 102), (102, 101), (102, 103), (103, 102), (103, 104), (104, 103)]);

    // Sepsets: every removed pair of the chain is separated by chain nodes between them.
    let sepsets = body["sepset_list"].as_array().unwrap();
    assert_eq!(sepsets.len(), 6, "3 removed pairs, both directions");
    for s in sepsets {
        let (a, b) = (s["from_node"].as_i64().unwrap(), s["to_node"].as_i64().unwrap());
        let nodes: Vec<i64> = s["nodes"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
        assert!(!nodes.is_empty() && nodes.iter().all(|v| (a.min(b) + 1..a.max(b)).contains(v)), "{s}");
        assert_eq!(s["level"], 1);
        assert!(s["statistic"].as_f64().unwrap() >= 0.01);
    }
}

#[test]
fn sepsets_are_left_out_unless_asked_for() {
    let csv = chain_csv();
    let backend = Backend::start(move |req, _| routes(req, &csv));
    let out = run_executor(backend.port, &["--send_sepsets", "0", "-t", "gaussCI", "-s", "0"]);
    assert!(out.status.success());
    let reqs = backend.requests();
    let body: Value = serde_json::from_slice(&reqs.last().unwrap().body).unwrap();
    assert_eq!(body["sepset_list"].as_array().unwrap().len(), 0);
    // subset_size 0: only marginal tests, so the chain's shortcuts all stay.
    assert_eq!(body["edge_list"].as_array().unwrap().len(), 12);
}

#[test]
fn failed_download_reports_the_job_and_exits_non_zero() {
    let backend = Backend::start(|req, _| match req.method.as_str() {
        "PUT" => (200, "{}".into()),
        _ => (404, "{\"message\": \"Dataset not found\"}".into()),
    });
    let out = run_executor(backend.port, &[]);
    assert!(!out.status.success());
    let calls: Vec<(String, String)> = backend.requests().into_iter().map(|r| (r.method, r.path)).collect();
    assert_eq!(calls, vec![("GET".into(), LOAD.into()), ("PUT".into(), JOB.into())]);
    assert!(backend.requests()[1].body.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("404"));
}

#[test]
fn failed_upload_reports_the_job_and_exits_non_zero() {
    let csv = chain_csv();
    let backend = Backend::start(move |req, _| match req.method.as_str() {
        "POST" => (409, "{\"message\": \"job 7 is error; its result is not accepted\"}".into()),
        _ => routes(req, &csv),
    });
    let out = run_executor(backend.port, &[]);
    assert!(!out.status.success());
    let calls: Vec<String> = backend.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(calls, vec!["GET", "POST", "PUT"]);
}

#[test]
fn download_is_retried_on_server_errors() {
    let csv = chain_csv();
    let backend = Backend::start(move |req, seen| match req.method.as_str() {
        "GET" if seen < 2 => (503, "busy".into()),
        _ => routes(req, &csv),
    });
    let out = run_executor(backend.port, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let calls: Vec<String> = backend.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(calls, vec!["GET", "GET", "GET", "POST"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("attempt 3"));
}

/// Found by the chaos suite (tests/chaos): uploads that met a PostgreSQL restart got 500 and
/// their jobs were lost.
#[test]
fn upload_is_retried_on_server_errors() {
    let csv = chain_csv();
    let posts = std::sync::atomic::AtomicUsize::new(0);
    let backend = Backend::start(move |req, _| match req.method.as_str() {
        "POST" if posts.fetch_add(1, Ordering::SeqCst) < 2 => {
            (500, "{\"message\": \"Internal Server Error\"}".into())
        }
        _ => routes(req, &csv),
    });
    let out = run_executor(backend.port, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let calls: Vec<String> = backend.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(calls, vec!["GET", "POST", "POST", "POST"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("upload attempt 2 failed"));
}

#[test]
fn upload_that_keeps_failing_reports_the_job() {
    let csv = chain_csv();
    let backend = Backend::start(move |req, _| match req.method.as_str() {
        "POST" => (503, "busy".into()),
        _ => routes(req, &csv),
    });
    let out = run_executor(backend.port, &[]);
    assert!(!out.status.success());
    let calls: Vec<String> = backend.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(calls, vec!["GET", "POST", "POST", "POST", "POST", "POST", "PUT"]);
}

#[test]
fn unreachable_backend_fails_without_hanging() {
    // Nothing listens on this port once the listener is dropped.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = run_executor(port, &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not report job 7 as failed"));
}

#[test]
fn invalid_arguments_exit_with_status_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_causeway-pc")).args(["x.r", "-j", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
