//! A fake Kubernetes API server speaking the real wire format (batch/v1 Jobs, core/v1 Pods,
//! pod logs, Nodes, `Status` errors), for the scheduler's Kubernetes tests. The product reaches
//! it through its normal configuration (`CAUSEWAY_K8S_API_URL`) and never knows it is fake.
//!
//! Creating a Job creates its pod; what the pod then does is the test's choice: `Behaviour`
//! for new Jobs, and `finish` to end a run with a log.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use poem::{
    Body, EndpointExt, IntoResponse, Request, Response, Route, Server, handler,
    http::{Method, StatusCode},
    listener::{Acceptor, Listener, TcpListener},
    web::Data,
};
use serde_json::{Value, json};

/// What the pod of a newly created Job does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Behaviour {
    Run,
    Unschedulable,
    ImagePullBackOff,
}

#[derive(Default)]
struct State {
    jobs: BTreeMap<String, Value>,
    pods: BTreeMap<String, Value>,
    logs: BTreeMap<String, String>,
    behaviour: Option<Behaviour>,
    requests: Vec<String>,
}

#[derive(Clone)]
pub struct FakeKube {
    pub url: String,
    state: Arc<Mutex<State>>,
}

fn status(code: u16, reason: &str, message: &str) -> Response {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": message, "reason": reason, "code": code});
    poem::web::Json(body).with_status(StatusCode::from_u16(code).unwrap()).into_response()
}

fn query_param(request: &Request, key: &str) -> Option<String> {
    // kube writes `?&labelSelector=…`: split leniently.
    request.uri().query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.replace("%3D", "=").replace("%2C", ",").replace("%2F", "/").replace('+', " "))
    })
}

fn matches(object: &Value, selector: Option<&str>) -> bool {
    let Some(selector) = selector.filter(|s| !s.is_empty()) else { return true };
    selector.split(',').all(|term| {
        let (key, value) = term.split_once('=').unwrap_or((term, ""));
        object["metadata"]["labels"][key].as_str() == Some(value)
    })
}

fn list(kind: &str, api_version: &str, items: Vec<Value>) -> Response {
    poem::web::Json(json!({"apiVersion": api_version, "kind": kind, "metadata": {"resourceVersion": "1"}, "items": items}))
        .into_response()
}

fn pod_status(behaviour: Behaviour) -> Value {
    match behaviour {
        Behaviour::Run => json!({"phase": "Running", "conditions": [
            {"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True"}]}),
        Behaviour::Unschedulable => json!({"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
             "message": "0/1 nodes are available: 1 Insufficient nvidia.com/gpu."}]}),
        Behaviour::ImagePullBackOff => json!({"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [{"name": "execution-container", "ready": false, "restartCount": 0,
                                   "image": "x", "imageID": "",
                                   "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}),
    }
}

#[handler]
async fn api(request: &Request, body: Body, state: Data<&Arc<Mutex<State>>>) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    state.lock().unwrap().requests.push(format!("{method} {}", request.uri()));
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let selector = query_param(request, "labelSelector");
    match (method, segments.as_slice()) {
        (Method::POST, ["apis", "batch", "v1", "namespaces", namespace, "jobs"]) => {
            let Ok(mut job) = serde_json::from_slice::<Value>(&body.into_vec().await.unwrap_or_default())
            else {
                return status(400, "BadRequest", "invalid Job");
            };
            let name = job["metadata"]["name"].as_str().unwrap_or_default().to_owned();
            let mut state = state.lock().unwrap();
            if state.jobs.contains_key(&name) {
                return status(409, "AlreadyExists", &format!("jobs.batch \"{name}\" already exists"));
            }
            job["metadata"]["namespace"] = json!(namespace);
            job["metadata"]["uid"] = json!(uuid::Uuid::new_v4().to_string());
            job["metadata"]["resourceVersion"] = json!("1");
            job["metadata"]["creationTimestamp"] = json!("2026-11-28T12:00:00Z");
            job["status"] = json!({"active": 1});
            let behaviour = state.behaviour.unwrap_or(Behaviour::Run);
            let pod_name = format!("{name}-x7k2p");
            let mut labels = job["spec"]["template"]["metadata"]["labels"].clone();
            labels["job-name"] = json!(name);
            let pod = json!({"apiVersion": "v1", "kind": "Pod",
                             "metadata": {"name": pod_name, "namespace": namespace, "labels": labels},
                             "spec": job["spec"]["template"]["spec"].clone(),
                             "status": pod_status(behaviour)});
            state.pods.insert(pod_name, pod);
            state.jobs.insert(name, job.clone());
            poem::web::Json(job).with_status(StatusCode::CREATED).into_response()
        }
        (Method::GET, ["apis", "batch", "v1", "namespaces", _, "jobs"]) => {
            let state = state.lock().unwrap();
            let items = state.jobs.values().filter(|j| matches(j, selector.as_deref())).cloned().collect();
            list("JobList", "batch/v1", items)
        }
        (Method::GET, ["apis", "batch", "v1", "namespaces", _, "jobs", name]) => {
            match state.lock().unwrap().jobs.get(*name) {
                Some(job) => poem::web::Json(job.clone()).into_response(),
                None => status(404, "NotFound", &format!("jobs.batch \"{name}\" not found")),
            }
        }
        (Method::DELETE, ["apis", "batch", "v1", "namespaces", _, "jobs", name]) => {
            match state.lock().unwrap().jobs.remove(*name) {
                Some(job) => poem::web::Json(job).into_response(),
                None => status(404, "NotFound", &format!("jobs.batch \"{name}\" not found")),
            }
        }
        (Method::GET, ["api", "v1", "namespaces", _, "pods"]) => {
            let state = state.lock().unwrap();
            let items = state.pods.values().filter(|p| matches(p, selector.as_deref())).cloned().collect();
            list("PodList", "v1", items)
        }
        (Method::DELETE, ["api", "v1", "namespaces", _, "pods", name]) => {
            match state.lock().unwrap().pods.remove(*name) {
                Some(pod) => poem::web::Json(pod).into_response(),
                None => status(404, "NotFound", &format!("pods \"{name}\" not found")),
            }
        }
        (Method::GET, ["api", "v1", "namespaces", _, "pods", name, "log"]) => {
            let state = state.lock().unwrap();
            let Some(pod) = state.pods.get(*name) else {
                return status(404, "NotFound", &format!("pods \"{name}\" not found"));
            };
            if pod["status"]["phase"] == "Pending" {
                return status(400, "BadRequest", "container \"execution-container\" is waiting to start");
            }
            state.logs.get(*name).cloned().unwrap_or_default().with_content_type("text/plain").into_response()
        }
        (Method::GET, ["api", "v1", "nodes"]) => list(
            "NodeList",
            "v1",
            ["node-a", "node-b"]
                .map(|n| json!({"metadata": {"name": n, "labels": {"kubernetes.io/hostname": n}}}))
                .to_vec(),
        ),
        (_, _) => {
            status(404, "NotFound", &format!("the server could not find the requested resource ({path})"))
        }
    }
}

impl FakeKube {
    pub async fn start() -> FakeKube {
        let state = Arc::new(Mutex::new(State::default()));
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
        let address = *acceptor.local_addr()[0].as_socket_addr().unwrap();
        let app = Route::new().at("/*path", api).data(state.clone());
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        FakeKube { url: format!("http://{address}"), state }
    }

    /// What the pods of Jobs created from now on do.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        self.state.lock().unwrap().behaviour = Some(behaviour);
    }

    pub fn job(&self, name: &str) -> Option<Value> {
        self.state.lock().unwrap().jobs.get(name).cloned()
    }

    pub fn pod_count(&self) -> usize {
        self.state.lock().unwrap().pods.len()
    }

    /// Ends a run: the pod exits (0 or 1) after writing `log`.
    pub fn finish(&self, job_name: &str, succeeded: bool, log: &str) {
        let mut state = self.state.lock().unwrap();
        let pod_name = format!("{job_name}-x7k2p");
        state.logs.insert(pod_name.clone(), log.to_owned());
        if let Some(pod) = state.pods.get_mut(&pod_name) {
            pod["status"]["phase"] = json!(if succeeded { "Succeeded" } else { "Failed" });
        }
        if let Some(job) = state.jobs.get_mut(job_name) {
            job["status"] = if succeeded { json!({"succeeded": 1}) } else { json!({"failed": 1}) };
        }
    }

    /// Someone deleted the Job behind Causeway's back.
    pub fn remove_job(&self, job_name: &str) {
        let mut state = self.state.lock().unwrap();
        state.jobs.remove(job_name);
        state.pods.remove(&format!("{job_name}-x7k2p"));
    }

    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }
}
