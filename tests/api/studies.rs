//! Studies (issue 14): grids expanded into experiments, every refusal, roles, starting,
//! progress and its events, the benchmark against a ground truth computed by hand, CSV,
//! deletion, and real PC runs (native, and side by side with causal-learn).

use std::time::Duration;

use causeway::{
    auth::{Role, tokens},
    config::AuthMode,
    lifecycle::{self, Transition},
};
use futures::StreamExt;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    Scheduling, TestApp, expect_error, expect_json, installed_tool, spawn_app, spawn_app_scheduling,
    spawn_app_with,
};

/// An algorithm the local launcher could run (its jobs are ended by the tests' uploads).
async fn scored_algorithm(app: &TestApp) -> Value {
    app.catalogue_algorithm(json!({
        "package": "test", "function": "scored", "script_filename": "scored.py",
        "local_command": ["python3", "scored.py"],
        "valid_parameters": {
            "alpha": {"type": "float", "required": true, "minimum": 0.0, "maximum": 1.0},
            "k": {"type": "int", "minimum": 1},
            "test": {"type": "enum", "values": ["g", "h"]}
        }
    }))
    .await
}

/// A dataset over columns a, b, c, d whose ground truth is a → b, b → c, d → c; its node ids
/// by name.
async fn truth_dataset(app: &TestApp) -> (Value, std::collections::HashMap<String, i64>) {
    let dataset = app.dataset_over("four", "a int, b int, c int, d int", "(1, 2, 3, 4), (2, 3, 4, 5)").await;
    let nodes: Vec<(i32, String)> = sqlx::query_as("SELECT id, name FROM node WHERE dataset_id = $1")
        .bind(dataset["id"].as_i64().unwrap() as i32)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let ids: std::collections::HashMap<String, i64> =
        nodes.into_iter().map(|(id, name)| (name, i64::from(id))).collect();
    for (from, to) in [("a", "b"), ("b", "c"), ("d", "c")] {
        sqlx::query("INSERT INTO edge (from_node_id, to_node_id, is_ground_truth) VALUES ($1, $2, true)")
            .bind(ids[from] as i32)
            .bind(ids[to] as i32)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    (dataset, ids)
}

async fn create(app: &TestApp, body: &Value) -> Value {
    expect_json(app.post_json("/api/studies", body).await, StatusCode::CREATED).await
}

#[tokio::test]
async fn creating_a_study_expands_the_grid_into_named_experiments() {
    let app = spawn_app().await;
    let algorithm = scored_algorithm(&app).await;
    let (dataset, _) = truth_dataset(&app).await;
    let study = create(
        &app,
        &json!({"name": "sweep", "description": "two alphas × three k", "dataset_ids": [dataset["id"]],
                "algorithms": [{"algorithm_id": algorithm["id"], "runs": 2,
                                "parameters": {"alpha": [0.01, "0.05"], "k": {"from": 1, "to": 3, "steps": 3},
                                               "test": "g"}}]}),
    )
    .await;
    assert_eq!(study["name"], "sweep");
    assert_eq!(study["description"], "two alphas × three k");
    assert_eq!(study["dataset_ids"], json!([dataset["id"]]));
    assert_eq!(study["experiment_count"], 6);
    assert_eq!(study["state"], "new");
    assert_eq!(
        study["progress"],
        json!({"waiting": 0, "running": 0, "done": 0, "error": 0, "cancelled": 0, "total": 0})
    );
    // The algorithms as given, runs included.
    assert_eq!(
        study["algorithms"],
        json!([{"algorithm_id": algorithm["id"], "runs": 2,
                "parameters": {"alpha": [0.01, "0.05"], "k": {"from": 1, "to": 3, "steps": 3}, "test": "g"}}])
    );
    let experiments = study["experiments"].as_array().unwrap();
    let names: Vec<&str> = experiments.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "test/scored alpha=0.01, k=1, test=g",
            "test/scored alpha=0.01, k=2, test=g",
            "test/scored alpha=0.01, k=3, test=g",
            "test/scored alpha=0.05, k=1, test=g",
            "test/scored alpha=0.05, k=2, test=g",
            "test/scored alpha=0.05, k=3, test=g",
        ]
    );
    assert_eq!(experiments[3]["parameters"], json!({"alpha": 0.05, "k": 1, "test": "g"}));
    assert_eq!(experiments[3]["point_label"], "alpha=0.05, k=1, test=g");
    assert_eq!(experiments[3]["algorithm_name"], "test/scored");
    assert_eq!(experiments[3]["jobs"]["total"], 0);
    // Ordinary experiments, with their study; parameters in the schema's order.
    let all = expect_json(app.get("/api/experiments").await, StatusCode::OK).await;
    assert_eq!(all.as_array().unwrap().len(), 6);
    assert!(all.as_array().unwrap().iter().all(|e| e["study_id"] == study["id"]));
    let keys: Vec<&String> = all[0]["parameters"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["alpha", "k", "test"]);
    // Listed and fetched alike.
    let list = expect_json(app.get("/api/studies").await, StatusCode::OK).await;
    assert_eq!(list[0]["id"], study["id"]);
    assert_eq!(list[0]["experiment_count"], 6);
    let fetched = expect_json(app.get(&format!("/api/study/{}", study["id"])).await, StatusCode::OK).await;
    assert_eq!(fetched, study);
    // Several datasets: one experiment per dataset, its name appended.
    let other = app.dataset_over("other", "a int, b int, c int, d int", "(1, 2, 3, 4)").await;
    let two = create(
        &app,
        &json!({"name": "two datasets", "dataset_ids": [dataset["id"], other["id"]],
                "algorithms": [{"algorithm_id": algorithm["id"], "parameters": {"alpha": 0.1}}]}),
    )
    .await;
    let names: Vec<&str> =
        two["experiments"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["test/scored alpha=0.1 (four)", "test/scored alpha=0.1 (other)"]);
}

#[tokio::test]
async fn bad_studies_are_refused_with_a_message_naming_the_problem_and_nothing_is_made() {
    let app = spawn_app().await;
    let algorithm = scored_algorithm(&app).await;
    let (dataset, _) = truth_dataset(&app).await;
    let body = |parameters: Value| {
        json!({"name": "bad", "dataset_ids": [dataset["id"]],
               "algorithms": [{"algorithm_id": algorithm["id"], "parameters": parameters}]})
    };
    let cases = [
        (
            body(json!({"alpha": 0.1, "beta": 1})),
            "algorithms[0]: unknown parameter \"beta\"; test/scored takes alpha, k, test",
        ),
        (
            body(json!({"alpha": [0.1, 2]})),
            "algorithms[0] point {\"alpha\": 2}: alpha: Must be between 0.0 and 1.0.",
        ),
        (
            body(json!({"alpha": 0.1, "test": ["g", "x"]})),
            "algorithms[0] point {\"alpha\": 0.1, \"test\": \"x\"}: test: Not a valid choice.",
        ),
        (body(json!({"k": 2})), "algorithms[0] point {\"k\": 2}: alpha: Missing data for required field."),
        (
            body(json!({"alpha": {"from": 0, "to": 0.1, "steps": 5, "scale": "log"}})),
            "algorithms[0]: invalid grid for alpha: a log range needs from and to greater than 0 (from 0, to 0.1)",
        ),
        (
            body(json!({"alpha": {"from": 0.01, "to": 0.1}})),
            "algorithms[0]: invalid grid for alpha: a range needs \"steps\"",
        ),
        (body(json!({"alpha": []})), "algorithms[0]: invalid grid for alpha: an empty list has no values"),
        (
            body(json!({"alpha": {"from": 0.001, "to": 0.5, "steps": 300}, "k": [1, 2]})),
            "The study would make 600 experiments; the limit is 500. Use fewer grid values, algorithms or datasets.",
        ),
        (
            json!({"name": "bad", "dataset_ids": [dataset["id"]],
                   "algorithms": [{"algorithm_id": algorithm["id"], "runs": 100,
                                   "parameters": {"alpha": {"from": 0.01, "to": 0.5, "steps": 60}}}]}),
            "The study would queue 6000 jobs (experiments × runs); the limit is 5000. Use fewer runs or grid values.",
        ),
    ];
    for (body, expected) in cases {
        let message = expect_error(app.post_json("/api/studies", &body).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(message, expected, "{body}");
    }
    // The request's shape, field by field.
    let message = expect_error(
        app.post_json(
            "/api/studies",
            &json!({"dataset_ids": [], "algorithms": [{"runs": 0, "parameters": 3}]}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        message,
        json!({"name": ["Missing data for required field."],
               "dataset_ids": ["Must list between 1 and 20 datasets."],
               "algorithms[0].algorithm_id": ["Missing data for required field."],
               "algorithms[0].parameters": ["Not a valid mapping type."],
               "algorithms[0].runs": ["Must be an integer between 1 and 100."]})
    );
    let long = "x".repeat(201);
    let message = expect_error(
        app.post_json(
            "/api/studies",
            &json!({"name": long, "dataset_ids": [dataset["id"]], "algorithms": []}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        message,
        json!({"name": ["Longer than maximum length 200."], "algorithms": ["Must list between 1 and 20 algorithms."]})
    );
    // Unknown dataset or algorithm: 404.
    let unknown_dataset = json!({"name": "bad", "dataset_ids": [9999],
                                 "algorithms": [{"algorithm_id": algorithm["id"], "parameters": {"alpha": 0.1}}]});
    let message =
        expect_error(app.post_json("/api/studies", &unknown_dataset).await, StatusCode::NOT_FOUND).await;
    assert_eq!(message, "dataset 9999 does not exist");
    let unknown_algorithm = json!({"name": "bad", "dataset_ids": [dataset["id"]],
                                   "algorithms": [{"algorithm_id": 9999, "parameters": {}}]});
    let message =
        expect_error(app.post_json("/api/studies", &unknown_algorithm).await, StatusCode::NOT_FOUND).await;
    assert_eq!(message, "algorithm 9999 does not exist");
    for path in ["/api/study/9999", "/api/study/9999/benchmark", "/api/study/9999/benchmark.csv"] {
        assert_eq!(
            expect_error(app.get(path).await, StatusCode::NOT_FOUND).await,
            "study 9999 does not exist"
        );
    }
    expect_error(app.post_json("/api/study/9999/start", &json!({})).await, StatusCode::NOT_FOUND).await;
    expect_error(app.delete("/api/study/9999").await, StatusCode::NOT_FOUND).await;
    assert_eq!((app.count("study").await, app.count("experiment").await), (0, 0));
}

#[tokio::test]
async fn an_algorithm_that_cannot_run_here_is_refused_with_409() {
    let app = spawn_app().await;
    app.seed().await;
    let algorithms = expect_json(app.get("/api/algorithms").await, StatusCode::OK).await;
    let pcalg = algorithms
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["package"] == "pcalg" && a["function"] == "pc")
        .unwrap();
    let dataset = &expect_json(app.get("/api/datasets").await, StatusCode::OK).await[0];
    let before = app.count("experiment").await;
    let message = expect_error(
        app.post_json(
            "/api/studies",
            &json!({"name": "r", "dataset_ids": [dataset["id"]],
                    "algorithms": [{"algorithm_id": pcalg["id"], "parameters": {"alpha": 0.01, "independence_test": "binCI"}}]}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        message
            .as_str()
            .unwrap()
            .starts_with("Algorithm pcalg/pc cannot run here: it runs on Kubernetes only"),
        "{message}"
    );
    assert_eq!(app.count("experiment").await, before);
}

fn client_for(secret: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {secret}").parse().unwrap());
    Client::builder().default_headers(headers).build().unwrap()
}

#[tokio::test]
async fn viewers_cannot_create_and_editors_delete_only_their_own_studies() {
    let app = spawn_app_with(|config| config.auth = Some(AuthMode::Token)).await;
    let algorithm = scored_algorithm(&app).await;
    let (dataset, _) = truth_dataset(&app).await;
    let body = json!({"name": "mine", "dataset_ids": [dataset["id"]],
                      "algorithms": [{"algorithm_id": algorithm["id"], "parameters": {"alpha": [0.1, 0.2]}}]});
    let mut clients = vec![];
    for (name, role) in [("vera", Role::Viewer), ("eddie", Role::Editor), ("otto", Role::Editor)] {
        let (_, secret) = tokens::create(&app.pool, name, role, None, "test").await.unwrap();
        clients.push(client_for(&secret));
    }
    let (viewer, editor, other) = (&clients[0], &clients[1], &clients[2]);
    let refused = viewer.post(app.url("/api/studies")).json(&body).send().await.unwrap();
    expect_error(refused, StatusCode::FORBIDDEN).await;
    let study = expect_json(
        editor.post(app.url("/api/studies")).json(&body).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(study["created_by"], "eddie");
    let path = app.url(&format!("/api/study/{}", study["id"]));
    expect_json(viewer.get(&path).send().await.unwrap(), StatusCode::OK).await;
    let start = app.url(&format!("/api/study/{}/start", study["id"]));
    expect_error(viewer.post(&start).send().await.unwrap(), StatusCode::FORBIDDEN).await;
    let message = expect_error(other.delete(&path).send().await.unwrap(), StatusCode::FORBIDDEN).await;
    assert_eq!(
        message,
        format!("study {} was created by eddie: only they or an admin may delete it", study["id"])
    );
    expect_error(viewer.delete(&path).send().await.unwrap(), StatusCode::FORBIDDEN).await;
    assert_eq!(app.count("experiment").await, 2);
    expect_json(editor.delete(&path).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(app.count("experiment").await, 0);
}

/// Uploads a result for `job` with the given edges (node names) the way an executor does.
async fn upload(
    app: &TestApp,
    job: i64,
    ids: &std::collections::HashMap<String, i64>,
    edges: &[(&str, &str)],
    time: f64,
) {
    let edge_list: Vec<Value> =
        edges.iter().map(|(a, b)| json!({"from_node": ids[*a], "to_node": ids[*b], "weight": 1.0})).collect();
    let body = json!({"job_id": job, "edge_list": edge_list, "execution_time": time, "dataset_loading_time": time / 10.0,
                      "meta_results": {"n_tests": time * 10.0}});
    let response = app.post_json(&format!("/api/job/{job}/result"), &body).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
}

#[tokio::test]
async fn a_started_study_reports_progress_events_and_a_benchmark_computed_by_hand() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let algorithm = scored_algorithm(&app).await;
    let (dataset, ids) = truth_dataset(&app).await;
    let nats = async_nats::connect(app.state.config.nats_url.as_str()).await.unwrap();
    let mut events = nats.subscribe(format!("{}.study.>", app.state.config.events_prefix())).await.unwrap();
    nats.flush().await.unwrap();

    let study = create(
        &app,
        &json!({"name": "by hand", "dataset_ids": [dataset["id"]],
                "algorithms": [{"algorithm_id": algorithm["id"], "runs": 2,
                                "parameters": {"alpha": [0.05, 0.01], "test": "g"}}]}),
    )
    .await;
    let id = study["id"].clone();
    let started =
        expect_json(app.post_json(&format!("/api/study/{id}/start"), &json!({})).await, StatusCode::OK).await;
    assert_eq!(started["study_id"], id);
    let jobs: Vec<i64> = started["jobs"].as_array().unwrap().iter().map(|j| j.as_i64().unwrap()).collect();
    assert_eq!(jobs.len(), 4, "2 experiments × 2 runs");
    let message = expect_error(
        app.post_json(&format!("/api/study/{id}/start"), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(message.as_str().unwrap().contains("still has 4 waiting or running jobs"), "{message}");
    let view = expect_json(app.get(&format!("/api/study/{id}")).await, StatusCode::OK).await;
    assert_eq!(view["state"], "running");
    assert_eq!(view["progress"]["waiting"], 4);
    assert_eq!(view["experiments"][0]["jobs"]["waiting"], 2);

    // A running job blocks deletion.
    let mut conn = app.pool.acquire().await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
    lifecycle::apply(&mut tx, jobs[0] as i32, &Transition::Launch).await.unwrap();
    tx.commit().await.unwrap();
    let message = expect_error(app.delete(&format!("/api/study/{id}")).await, StatusCode::CONFLICT).await;
    assert_eq!(message, format!("Study {id} has running jobs ({}); cancel them first", jobs[0]));

    // Experiment 0 is alpha=0.05 (as given), experiment 1 alpha=0.01. Jobs are in that order.
    let truth = [("a", "b"), ("b", "c"), ("d", "c")];
    let missing = [("b", "c"), ("d", "c")];
    upload(&app, jobs[0], &ids, &truth, 2.0).await;
    upload(&app, jobs[1], &ids, &missing, 4.0).await;
    upload(&app, jobs[2], &ids, &truth, 1.0).await;
    let view = expect_json(app.get(&format!("/api/study/{id}")).await, StatusCode::OK).await;
    assert_eq!(
        view["progress"],
        json!({"waiting": 1, "running": 0, "done": 3, "error": 0, "cancelled": 0, "total": 4})
    );
    upload(&app, jobs[3], &ids, &truth, 3.0).await;
    let view = expect_json(app.get(&format!("/api/study/{id}")).await, StatusCode::OK).await;
    assert_eq!(view["state"], "finished");
    assert_eq!(view["progress"]["done"], 4);

    // Events: created, started, a progress per job end, finished after the last.
    let mut seen: Vec<(String, Value)> = vec![];
    while seen.iter().all(|(t, _)| t != "io.causeway.study.finished") {
        let message = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("a study event")
            .unwrap();
        let event: Value = serde_json::from_slice(&message.payload).unwrap();
        let prefix = format!("{}.study.{id}.", app.state.config.events_prefix());
        assert!(message.subject.as_str().starts_with(&prefix), "{}", message.subject);
        seen.push((event["type"].as_str().unwrap().to_owned(), event["data"].clone()));
    }
    let types: Vec<&str> = seen.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "io.causeway.study.created",
            "io.causeway.study.started",
            "io.causeway.study.progress",
            "io.causeway.study.progress",
            "io.causeway.study.progress",
            "io.causeway.study.progress",
            "io.causeway.study.finished",
        ]
    );
    assert_eq!(
        seen[2].1,
        json!({"waiting": 3, "running": 0, "done": 1, "error": 0, "cancelled": 0, "total": 4, "id": id})
    );
    assert_eq!(seen[6].1["done"], 4);

    // The benchmark: rows by the swept alpha (0.01 first); by hand (see the unit test of
    // `studies::benchmark`): the truth scores 1 with SHD 0; without a → b, skeleton and
    // directed recall 2/3, precision 1, F1 0.8, FPR 0, SHD 1.
    let benchmark = expect_json(app.get(&format!("/api/study/{id}/benchmark")).await, StatusCode::OK).await;
    assert_eq!(benchmark["study_id"], id);
    assert_eq!(benchmark["ground_truth"], true);
    assert_eq!(benchmark["swept_parameters"], json!(["alpha"]));
    let rows = benchmark["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let (low, high) = (&rows[0], &rows[1]);
    assert_eq!(low["parameters"], json!({"alpha": 0.01, "test": "g"}));
    assert_eq!(low["point_label"], "alpha=0.01, test=g");
    assert_eq!(low["results"], 2);
    let one = json!({"median": 1.0, "min": 1.0, "max": 1.0});
    let zero = json!({"median": 0.0, "min": 0.0, "max": 0.0});
    for kind in ["skeleton", "directed"] {
        assert_eq!(
            low[kind],
            json!({"tpr": one, "fpr": zero, "precision": one, "recall": one, "f1": one}),
            "{kind}"
        );
    }
    assert_eq!(low["shd"], zero);
    assert_eq!(low["execution_time"], json!({"median": 2.0, "min": 1.0, "max": 3.0}));
    assert_eq!(low["ci_tests"], json!({"median": 20.0, "min": 10.0, "max": 30.0}));
    assert_eq!(high["parameters"]["alpha"], 0.05);
    let third = 2.0 / 3.0;
    let mid = (1.0 + third) / 2.0;
    let f1 = json!({"median": 0.9, "min": 0.8, "max": 1.0});
    for kind in ["skeleton", "directed"] {
        let scores = &high[kind];
        assert_eq!(scores["recall"], json!({"median": mid, "min": third, "max": 1.0}), "{kind}");
        assert_eq!(scores["tpr"], scores["recall"], "{kind}");
        assert_eq!(scores["precision"], one, "{kind}");
        assert_eq!(scores["fpr"], zero, "{kind}");
        let f = &scores["f1"];
        for key in ["median", "min", "max"] {
            assert!((f[key].as_f64().unwrap() - f1[key].as_f64().unwrap()).abs() < 1e-12, "{kind} f1 {f}");
        }
    }
    assert_eq!(high["shd"], json!({"median": 0.5, "min": 0.0, "max": 1.0}));
    assert_eq!(high["dataset_loading_time"], json!({"median": 0.30000000000000004, "min": 0.2, "max": 0.4}));

    // CSV: the same rows, statistics flattened.
    let response = app.get(&format!("/api/study/{id}/benchmark.csv")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(
        &header[..9],
        [
            "experiment_id",
            "experiment_name",
            "dataset_id",
            "algorithm_id",
            "algorithm_name",
            "parameters",
            "point_label",
            "results",
            "skeleton_tpr_median"
        ]
    );
    assert_eq!(header.last(), Some(&"ci_tests_max"));
    assert_eq!(header.len(), 8 + 3 * 14);
    assert!(
        lines[1].starts_with(&format!("{},\"test/scored alpha=0.01, test=g\",", low["experiment_id"])),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(",1,0.5,0,1,"), "shd of the second row: {}", lines[2]);

    // Deleting cascades to experiments, jobs and results, and says so.
    let deleted = expect_json(app.delete(&format!("/api/study/{id}")).await, StatusCode::OK).await;
    assert_eq!(deleted["message"], format!("Study {id} deleted with 2 experiments and 4 jobs"));
    for table in ["study", "experiment", "job", "result"] {
        assert_eq!(app.count(table).await, 0, "{table}");
    }
    let edges: i64 = sqlx::query_scalar("SELECT count(*) FROM edge WHERE result_id IS NOT NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(edges, 0);
    let message =
        tokio::time::timeout(Duration::from_secs(10), events.next()).await.expect("study.deleted").unwrap();
    assert!(message.subject.as_str().ends_with(&format!("study.{id}.deleted")), "{}", message.subject);
}

/// The native PC: a study over two alphas on the seeded Earthquake data runs to the end and
/// scores the learned skeleton against the ground truth.
#[tokio::test]
async fn a_native_pc_study_runs_to_finished_with_its_benchmark() {
    let app = spawn_app().await;
    app.seed().await;
    let algorithms = expect_json(app.get("/api/algorithms").await, StatusCode::OK).await;
    let pc = algorithms
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["package"] == "causeway" && a["function"] == "pc")
        .unwrap();
    let dataset = &expect_json(app.get("/api/datasets").await, StatusCode::OK).await[0];
    let study = create(
        &app,
        &json!({"name": "native", "dataset_ids": [dataset["id"]],
                "algorithms": [{"algorithm_id": pc["id"], "parameters": {"alpha": [0.01, 0.05], "independence_test": "disCI"}}]}),
    )
    .await;
    let id = &study["id"];
    expect_json(app.post_json(&format!("/api/study/{id}/start"), &json!({})).await, StatusCode::OK).await;
    let finished = finished_study(&app, id, Duration::from_secs(120)).await;
    assert_eq!(finished["progress"]["done"], 2, "{finished}");
    let benchmark = expect_json(app.get(&format!("/api/study/{id}/benchmark")).await, StatusCode::OK).await;
    for row in benchmark["rows"].as_array().unwrap() {
        assert_eq!(row["results"], 1);
        // The native PC learns the Earthquake skeleton exactly (tests/api/native_pc.rs).
        assert_eq!(row["skeleton"]["f1"]["median"], 1.0, "{row}");
        assert!(row["ci_tests"]["median"].as_f64().unwrap() > 0.0, "{row}");
        assert!(row["execution_time"]["median"].as_f64().is_some(), "{row}");
    }
}

/// Waits (polling the API, with a deadline) until the study is finished.
async fn finished_study(app: &TestApp, id: &Value, within: Duration) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let study = expect_json(app.get(&format!("/api/study/{id}")).await, StatusCode::OK).await;
        if study["state"] == "finished" {
            return study;
        }
        assert!(tokio::time::Instant::now() < deadline, "study {id} did not finish: {study}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// causal-learn's Python (`CAUSEWAY_PYTHON`, else the environment `scripts/python-env` makes),
/// if installed; required under `scripts/test`.
fn causal_learn_python() -> Option<String> {
    let python = std::env::var("CAUSEWAY_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/executors/python/.venv/bin/python").into());
    installed_tool(
        std::path::Path::new(&python),
        "create the Python executors' environment with `scripts/python-env` (or set CAUSEWAY_PYTHON)",
    )
}

/// The seeded study named `name`.
async fn seeded_study(app: &TestApp, name: &str) -> Value {
    let studies = expect_json(app.get("/api/studies").await, StatusCode::OK).await;
    let study = studies.as_array().unwrap().iter().find(|s| s["name"] == name).cloned();
    study.unwrap_or_else(|| panic!("no study {name:?} in {studies}"))
}

/// Issue 14's side by side: the seeded study runs the native PC and causal-learn's PC with the
/// same test over the same alphas; their skeleton metrics are identical at every alpha.
#[tokio::test]
async fn the_native_and_causal_learn_pc_give_identical_skeleton_metrics() {
    let Some(python) = causal_learn_python() else { return };
    let app = spawn_app_with(|config| config.python = Some(python)).await;
    app.seed().await;
    let study = seeded_study(&app, causeway::seed::EARTHQUAKE_STUDY).await;
    let id = &study["id"];
    expect_json(app.post_json(&format!("/api/study/{id}/start"), &json!({})).await, StatusCode::OK).await;
    let finished = finished_study(&app, id, Duration::from_secs(600)).await;
    assert_eq!(finished["progress"]["done"], 10, "{finished}");
    let benchmark = expect_json(app.get(&format!("/api/study/{id}/benchmark")).await, StatusCode::OK).await;
    let rows = benchmark["rows"].as_array().unwrap();
    let (native, learn): (Vec<&Value>, Vec<&Value>) =
        rows.iter().partition(|r| r["algorithm_name"] == "causeway/pc");
    assert_eq!((native.len(), learn.len()), (5, 5));
    for (a, b) in native.iter().zip(&learn) {
        assert_eq!(a["parameters"]["alpha"], b["parameters"]["alpha"]);
        assert_eq!(a["skeleton"], b["skeleton"], "alpha {}", a["parameters"]["alpha"]);
        // The speed difference, for docs/benchmarks.md (`-- --nocapture`).
        eprintln!(
            "alpha {}: execution time native {} s, causal-learn {} s; CI tests {} / {}",
            a["parameters"]["alpha"],
            a["execution_time"]["median"],
            b["execution_time"]["median"],
            a["ci_tests"]["median"],
            b["ci_tests"]["median"]
        );
    }
}

/// The seeded benchmark rows of one algorithm, by alpha.
fn rows_of<'a>(benchmark: &'a Value, algorithm: &str) -> Vec<&'a Value> {
    let mut rows: Vec<&Value> =
        benchmark["rows"].as_array().unwrap().iter().filter(|r| r["algorithm_name"] == algorithm).collect();
    rows.sort_by(|a, b| {
        a["parameters"]["alpha"].as_f64().partial_cmp(&b["parameters"]["alpha"].as_f64()).unwrap()
    });
    rows
}

/// Non-decreasing along the grid with at least one strict rise.
fn assert_rises(values: &[f64], what: &str) {
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "{what} falls somewhere along alpha: {values:?}");
    assert!(values.windows(2).any(|w| w[0] < w[1]), "{what} never rises along alpha: {values:?}");
}

/// Issue 14's expected curve shape, on the seeded "Gaussian alpha sweep" (generated
/// linear-Gaussian data with weak edges): along alpha, skeleton TPR and FPR rise and SHD is
/// lowest inside the grid; with causal-learn installed, its PC gives identical skeleton metrics
/// and SHD at every alpha. Without it only the native PC's experiments are started.
#[tokio::test]
async fn the_seeded_gaussian_study_shows_the_expected_curve_shape() {
    let python = causal_learn_python();
    let app = spawn_app_with(|config| config.python = python.clone()).await;
    app.seed().await;
    let study = seeded_study(&app, causeway::seed::GAUSSIAN_STUDY).await;
    let id = &study["id"];
    let full = expect_json(app.get(&format!("/api/study/{id}")).await, StatusCode::OK).await;
    let started = if python.is_some() {
        expect_json(app.post_json(&format!("/api/study/{id}/start"), &json!({})).await, StatusCode::OK).await;
        14
    } else {
        let native: Vec<&Value> = full["experiments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["algorithm_name"] == "causeway/pc")
            .collect();
        for experiment in &native {
            app.start(experiment, json!({})).await;
        }
        native.len()
    };
    // Every started job ends (done or error); none may fail.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(600);
    let progress = loop {
        let view = expect_json(app.get(&format!("/api/study/{id}")).await, StatusCode::OK).await;
        let progress = view["progress"].clone();
        if progress["done"].as_u64().unwrap() + progress["error"].as_u64().unwrap() == started as u64 {
            break progress;
        }
        assert!(tokio::time::Instant::now() < deadline, "study {id} did not end: {view}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(progress["done"], started, "{progress}");

    let benchmark = expect_json(app.get(&format!("/api/study/{id}/benchmark")).await, StatusCode::OK).await;
    assert_eq!(benchmark["ground_truth"], true);
    let native = rows_of(&benchmark, "causeway/pc");
    let alphas: Vec<f64> = native.iter().map(|r| r["parameters"]["alpha"].as_f64().unwrap()).collect();
    assert_eq!(alphas, causeway::seed::GAUSSIAN_ALPHAS);
    let median = |rows: &[&Value], pointer: &str| -> Vec<f64> {
        rows.iter().map(|r| r.pointer(pointer).and_then(Value::as_f64).unwrap()).collect()
    };
    assert!(native.iter().all(|r| r["results"] == 1), "{native:?}");
    let tpr = median(&native, "/skeleton/tpr/median");
    let fpr = median(&native, "/skeleton/fpr/median");
    let shd = median(&native, "/shd/median");
    assert_rises(&tpr, "skeleton TPR");
    assert_rises(&fpr, "skeleton FPR");
    // Weak edges are missed at the smallest alpha, false ones found at the largest.
    assert!(tpr[0] < 1.0 && fpr[0] < *fpr.last().unwrap(), "TPR {tpr:?}, FPR {fpr:?}");
    let best = shd.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(best < shd[0] && best < *shd.last().unwrap(), "SHD has no interior minimum: {shd:?}");
    eprintln!("Gaussian alpha sweep, native PC: alpha {alphas:?}\n TPR {tpr:?}\n FPR {fpr:?}\n SHD {shd:?}");

    if python.is_some() {
        let learn = rows_of(&benchmark, "causal-learn/pc");
        assert_eq!(learn.len(), native.len());
        for (a, b) in native.iter().zip(&learn) {
            let alpha = &a["parameters"]["alpha"];
            assert_eq!(alpha, &b["parameters"]["alpha"]);
            assert_eq!(a["skeleton"], b["skeleton"], "skeleton metrics at alpha {alpha}");
            assert_eq!(a["shd"], b["shd"], "SHD at alpha {alpha}");
            eprintln!(
                "alpha {alpha}: execution time native {} s, causal-learn {} s",
                a["execution_time"]["median"], b["execution_time"]["median"]
            );
        }
    }
}

/// A study whose algorithm lost its local command after it was made (an operator's catalogue
/// load) cannot start under the local launcher: 409 saying where it can run, and no job.
#[tokio::test]
async fn starting_a_study_with_an_algorithm_that_cannot_run_here_answers_409() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let algorithm = scored_algorithm(&app).await;
    let (dataset, _) = truth_dataset(&app).await;
    let study = create(
        &app,
        &json!({"name": "stranded", "dataset_ids": [dataset["id"]],
                "algorithms": [{"algorithm_id": algorithm["id"], "parameters": {"alpha": [0.1, 0.2]}}]}),
    )
    .await;
    // The same entry, now an image only.
    app.catalogue_algorithm(json!({
        "package": "test", "function": "scored", "script_filename": "scored.py",
        "docker_image": "causeway_scored",
        "valid_parameters": {"alpha": {"type": "float", "required": true, "minimum": 0.0, "maximum": 1.0}}
    }))
    .await;
    let message = expect_error(
        app.post_json(&format!("/api/study/{}/start", study["id"]), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        message
            .as_str()
            .unwrap()
            .starts_with("Algorithm test/scored cannot run here: it runs on Kubernetes only"),
        "{message}"
    );
    assert_eq!(app.count("job").await, 0);
    let view = expect_json(app.get(&format!("/api/study/{}", study["id"])).await, StatusCode::OK).await;
    assert_eq!(view["state"], "new");
}

/// Starting checks what `POST /api/experiment/{id}/start` checks: data that changed since the
/// dataset was registered answers 409 and queues nothing.
#[tokio::test]
async fn a_study_over_changed_data_does_not_start() {
    let app = spawn_app_scheduling(Scheduling::Manual, |_| {}).await;
    let algorithm = scored_algorithm(&app).await;
    let (dataset, _) = truth_dataset(&app).await;
    let study = create(
        &app,
        &json!({"name": "changed", "dataset_ids": [dataset["id"]],
                "algorithms": [{"algorithm_id": algorithm["id"], "parameters": {"alpha": [0.1, 0.2]}}]}),
    )
    .await;
    app.sql("INSERT INTO four VALUES (9, 9, 9, 9)").await;
    let message = expect_error(
        app.post_json(&format!("/api/study/{}/start", study["id"]), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(message, "The underlying data has been modified");
    assert_eq!(app.count("job").await, 0);
    let view = expect_json(app.get(&format!("/api/study/{}", study["id"])).await, StatusCode::OK).await;
    assert_eq!(view["state"], "new");
}
