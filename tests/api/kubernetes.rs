//! The scheduler on Kubernetes, against the fake API server.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    fake_kube::{Behaviour, FakeKube},
    helpers::{Scheduling, TestApp, expect_json, spawn_app_scheduling},
};

async fn cluster_app() -> (TestApp, FakeKube) {
    let fake = FakeKube::start().await;
    let url = fake.url.clone();
    let app = spawn_app_scheduling(Scheduling::Manual, |c| {
        c.launcher = causeway::config::LauncherKind::Kubernetes;
        c.k8s_api_url = Some(url);
        c.k8s_namespace = "causeway-test".into();
        c.release_name = "rel".into();
        c.image_namespace = "registry.example/causeway".into();
        c.require_upload_token = true;
    })
    .await;
    (app, fake)
}

/// An image-only algorithm (no local command) and an experiment with `cores`.
async fn image_experiment(app: &TestApp, docker_image: Option<&str>) -> Value {
    let algorithm = expect_json(
        app.post_json(
            "/api/algorithms",
            &json!({"package": "pcalg", "function": "pc", "script_filename": "pcalg_pc.r", "docker_image": docker_image,
                    "valid_parameters": {"alpha": {"type": "float"}, "cores": {"type": "int"}}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let dataset = app.dataset_over("k8s_obs", "a int, b int", "(1, 2)").await;
    expect_json(
        app.post_json(
            "/api/experiments",
            &json!({"name": "k", "dataset_id": dataset["id"], "algorithm_id": algorithm["id"],
                    "parameters": {"alpha": 0.05, "cores": 2}}),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

/// An algorithm whose image is off the allow-list (stored before it, or by hand) never runs.
#[tokio::test]
async fn an_image_off_the_allow_list_is_not_launched() {
    let (app, fake) = cluster_app().await;
    let scheduler = app.scheduler.clone().unwrap();
    let experiment = image_experiment(&app, Some("mpci_execution_r")).await;
    app.sql("UPDATE algorithm SET docker_image = 'docker.io/attacker/miner'").await;
    let created = app.start(&experiment, json!({})).await;
    scheduler.tick().await;
    let failed = app.job(&created["id"]).await;
    assert_eq!(failed["status"], "error", "{failed}");
    assert!(failed["log"].as_str().unwrap_or_default().contains("allow-list"), "{failed}");
    assert_eq!(fake.pod_count(), 0);
}

#[tokio::test]
async fn a_job_becomes_a_kubernetes_job_as_the_spec_says_and_its_log_is_kept() {
    let (app, fake) = cluster_app().await;
    let scheduler = app.scheduler.clone().unwrap();
    let experiment = image_experiment(&app, Some("mpci_execution_r")).await;
    let created = app
        .start(&experiment, json!({"node": "node-b", "gpus": 1, "enforce_cpus": true, "parallel": true}))
        .await;
    scheduler.tick().await;
    let running = app.job(&created["id"]).await;
    let name = format!("rel-execute-{}", created["id"]);
    assert_eq!(running["status"], "running");
    assert_eq!(running["container_id"], name);

    let k8s_job = fake.job(&name).expect("a Kubernetes Job");
    // The token travels only in the Job's arguments (the database keeps its hash).
    let api_host =
        k8s_job["spec"]["template"]["spec"]["containers"][0]["args"][6].as_str().unwrap().to_owned();
    let token = api_host.strip_prefix(&format!("{}/t/", app.state.config.executor_api_host())).unwrap();
    assert_eq!(token.len(), 32, "{api_host}");
    assert_eq!(k8s_job["spec"]["backoffLimit"], 0);
    assert_eq!(k8s_job["spec"]["template"]["spec"]["restartPolicy"], "Never");
    assert_eq!(
        k8s_job["spec"]["template"]["spec"]["nodeSelector"],
        json!({"kubernetes.io/hostname": "node-b"})
    );
    assert_eq!(k8s_job["metadata"]["labels"]["job-name"], name);
    let container = &k8s_job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "registry.example/causeway/mpci_execution_r");
    assert_eq!(
        container["args"],
        json!([
            "pcalg_pc.r",
            "-j",
            created["id"].to_string(),
            "-d",
            experiment["dataset_id"].to_string(),
            "--api_host",
            api_host,
            "--send_sepsets",
            "0",
            "--alpha",
            "0.05",
            "--cores",
            "2"
        ])
    );
    assert_eq!(container["resources"]["limits"], json!({"cpu": "2", "nvidia.com/gpu": "1"}));
    assert_eq!(container["resources"]["requests"], json!({"cpu": "2", "nvidia.com/gpu": "1"}));

    // The executor uploads through the collector with its token, then its pod ends.
    let nodes: Vec<i32> =
        sqlx::query_scalar("SELECT id FROM node ORDER BY id").fetch_all(&app.pool).await.unwrap();
    let upload = json!({"edge_list": [{"from_node": nodes[0], "to_node": nodes[1], "weight": 0.3}]});
    let response = app
        .client
        .post(format!("http://{api_host}/api/job/{}/result", created["id"]))
        .body(upload.to_string())
        .send()
        .await
        .unwrap();
    expect_json(response, StatusCode::OK).await;
    fake.finish(&name, true, "pcalg finished\n");
    scheduler.tick().await;
    let done = app.job(&created["id"]).await;
    assert_eq!(done["status"], "done");
    assert_eq!(done["log"], "pcalg finished\n");
    assert!(fake.job(&name).is_none(), "the finished Kubernetes Job is deleted");
    assert_eq!(fake.pod_count(), 0);
}

#[tokio::test]
async fn an_unschedulable_pod_fails_the_job_with_code_minus_1() {
    let (app, fake) = cluster_app().await;
    let scheduler = app.scheduler.clone().unwrap();
    fake.set_behaviour(Behaviour::Unschedulable);
    let experiment = image_experiment(&app, Some("mpci_execution_r")).await;
    let created = app.start(&experiment, json!({"gpus": 8})).await;
    scheduler.tick().await;
    let failed = app.job(&created["id"]).await;
    assert_eq!(failed["status"], "error");
    assert_eq!(failed["error_code"], -1);
    assert_eq!(failed["log"], " -- EMPTY LOGS -- ");
    assert!(fake.job(&format!("rel-execute-{}", created["id"])).is_none());
    assert_eq!(fake.pod_count(), 0);
}

#[tokio::test]
async fn a_missing_image_fails_the_job_with_code_minus_2() {
    let (app, fake) = cluster_app().await;
    let scheduler = app.scheduler.clone().unwrap();
    fake.set_behaviour(Behaviour::ImagePullBackOff);
    let experiment = image_experiment(&app, Some("mpci_no_such_image")).await;
    let created = app.start(&experiment, json!({})).await;
    scheduler.tick().await;
    let failed = app.job(&created["id"]).await;
    assert_eq!(failed["error_code"], -2);
    assert_eq!(fake.pod_count(), 0);
}

#[tokio::test]
async fn a_failed_pod_fails_the_job_with_its_log_and_a_vanished_job_too() {
    let (app, fake) = cluster_app().await;
    let scheduler = app.scheduler.clone().unwrap();
    let experiment = image_experiment(&app, Some("mpci_execution_r")).await;
    let first = app.start(&experiment, json!({"parallel": true})).await;
    let second = app.start(&experiment, json!({"parallel": true})).await;
    scheduler.tick().await;
    fake.finish(&format!("rel-execute-{}", first["id"]), false, "Error in pc(): singular matrix\n");
    fake.remove_job(&format!("rel-execute-{}", second["id"]));
    scheduler.tick().await;
    let crashed = app.job(&first["id"]).await;
    assert_eq!((crashed["status"].as_str(), crashed["error_code"].as_i64()), (Some("error"), Some(-127)));
    assert_eq!(crashed["log"], "Error in pc(): singular matrix\n");
    let vanished = app.job(&second["id"]).await;
    assert_eq!((vanished["status"].as_str(), vanished["error_code"].as_i64()), (Some("error"), Some(-127)));
    assert_eq!(vanished["log"], " -- EMPTY LOGS -- ");
}

#[tokio::test]
async fn a_cancelled_job_has_its_kubernetes_job_deleted_even_after_a_scheduler_restart() {
    let (app, fake) = cluster_app().await;
    let scheduler = app.scheduler.clone().unwrap();
    let experiment = image_experiment(&app, Some("mpci_execution_r")).await;
    let created = app.start(&experiment, json!({})).await;
    scheduler.tick().await;
    let name = format!("rel-execute-{}", created["id"]);
    assert!(fake.job(&name).is_some());
    expect_json(app.delete(&format!("/api/job/{}", created["id"])).await, StatusCode::OK).await;
    // A new scheduler (no memory of the run) reconciles from the cluster's state.
    let launcher = causeway::launcher::from_config(&app.state.config).await.unwrap();
    let restarted = causeway::scheduler::Scheduler::new(app.pool.clone(), launcher, app.state.config.clone());
    restarted.tick().await;
    assert!(fake.job(&name).is_none(), "the cancelled run is stopped");
    assert_eq!(app.job(&created["id"]).await["status"], "cancelled");
    drop(scheduler);
}

#[tokio::test]
async fn an_algorithm_without_an_image_fails_at_launch_and_nodes_are_listed() {
    let (app, fake) = cluster_app().await;
    let scheduler = app.scheduler.clone().unwrap();
    let experiment = image_experiment(&app, None).await;
    let created = app.start(&experiment, json!({})).await;
    scheduler.tick().await;
    let failed = app.job(&created["id"]).await;
    assert_eq!(failed["error_code"], -127);
    assert!(failed["log"].as_str().unwrap().contains("no docker_image"), "{failed}");
    assert!(fake.requests().iter().all(|r| !r.starts_with("POST")), "no Job was created");
    let launcher = causeway::launcher::from_config(&app.state.config).await.unwrap();
    assert_eq!(launcher.nodes().await.unwrap(), ["node-a", "node-b"]);
}

/// A restarted scheduler finds the runs of the one before by label: a live Job is left alone,
/// and when it ends its job is done with its log. Two runs: one ends while no scheduler runs,
/// the other after the restart.
#[tokio::test]
async fn a_restarted_scheduler_adopts_kubernetes_jobs_by_label() {
    let (app, fake) = cluster_app().await;
    let (first, launcher) = crate::durability::recording_scheduler(&app).await;
    let experiment = image_experiment(&app, Some("mpci_execution_r")).await;
    let early = app.start(&experiment, json!({"parallel": true})).await["id"].clone();
    let late = app.start(&experiment, json!({"parallel": true})).await["id"].clone();
    first.tick().await;
    drop(first);
    let nodes: Vec<i32> =
        sqlx::query_scalar("SELECT id FROM node ORDER BY id").fetch_all(&app.pool).await.unwrap();
    let upload = |id: Value| {
        let path = format!("/t/{}/api/job/{id}/result", launcher.token(&id));
        let body = json!({"edge_list": [{"from_node": nodes[0], "to_node": nodes[1]}]}).to_string();
        app.client.post(app.url(&path)).body(body).send()
    };
    // While no scheduler runs, one executor uploads and its pod ends.
    expect_json(upload(early.clone()).await.unwrap(), StatusCode::OK).await;
    fake.finish(&format!("rel-execute-{early}"), true, "early run finished\n");

    let launcher = causeway::launcher::from_config(&app.state.config).await.unwrap();
    let second = causeway::scheduler::Scheduler::new(app.pool.clone(), launcher, app.state.config.clone());
    second.tick().await;
    let adopted = app.job(&late).await;
    assert_eq!(adopted["status"], "running", "a live Job is adopted, not declared vanished: {adopted}");
    assert!(fake.job(&format!("rel-execute-{late}")).is_some());
    let early_job = app.job(&early).await;
    assert_eq!(
        (early_job["status"].as_str(), early_job["log"].as_str()),
        (Some("done"), Some("early run finished\n"))
    );

    expect_json(upload(late.clone()).await.unwrap(), StatusCode::OK).await;
    fake.finish(&format!("rel-execute-{late}"), true, "late run finished\n");
    second.tick().await;
    let done = app.job(&late).await;
    assert_eq!((done["status"].as_str(), done["log"].as_str()), (Some("done"), Some("late run finished\n")));
    assert_eq!(fake.pod_count(), 0, "finished Jobs are cleaned up");
}

/// Infrastructure failures are retried with back-off while the job's retries last.
#[tokio::test]
async fn an_unschedulable_job_is_retried_after_a_back_off_until_its_retries_are_spent() {
    let (app, fake) = cluster_app().await;
    let scheduler = app.scheduler.clone().unwrap();
    fake.set_behaviour(Behaviour::Unschedulable);
    let experiment = image_experiment(&app, Some("mpci_execution_r")).await;
    let created = app.start(&experiment, json!({"max_retries": 1, "retry_backoff": 1.0})).await;
    assert_eq!((created["attempt"].as_i64(), created["earlier_attempts"].clone()), (Some(1), json!([])));
    scheduler.tick().await;
    let retrying = app.job(&created["id"]).await;
    assert_eq!(
        (retrying["status"].as_str(), retrying["attempt"].as_i64()),
        (Some("waiting"), Some(2)),
        "{retrying}"
    );
    assert_eq!(retrying["error_code"], Value::Null);
    assert_eq!(retrying["earlier_attempts"][0]["attempt"], 1);
    assert!(
        retrying["earlier_attempts"][0]["reason"].as_str().unwrap().contains("unschedulable"),
        "{retrying}"
    );
    assert_eq!(fake.pod_count(), 0, "the failed attempt's run is removed");
    let event: Value = sqlx::query_scalar("SELECT payload FROM outbox WHERE subject = $1")
        .bind(format!("job.{}.retrying", created["id"]))
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(event["attempt"], 2);
    let delay = event["delay_seconds"].as_f64().unwrap();
    assert!((0.5..=1.0).contains(&delay), "jittered back-off {delay}");

    // Not claimed again before the back-off has passed (checked only when this machine is fast
    // enough to tick within it)…
    let not_before: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT not_before FROM job").fetch_one(&app.pool).await.unwrap();
    scheduler.tick().await;
    let status = app.job(&created["id"]).await["status"].clone();
    if chrono::Utc::now() < not_before {
        assert_eq!(status, "waiting");
    }
    // …then launched, unschedulable again, and with no retry left it fails as without retries.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let failed = loop {
        scheduler.tick().await;
        let job = app.job(&created["id"]).await;
        if job["status"] == "error" {
            break job;
        }
        assert!(tokio::time::Instant::now() < deadline, "{job}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!((failed["error_code"].as_i64(), failed["attempt"].as_i64()), (Some(-1), Some(2)), "{failed}");
    assert_eq!(failed["earlier_attempts"].as_array().unwrap().len(), 1);
}
