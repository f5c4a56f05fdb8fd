//! The Kubernetes launcher: each run is a batch/v1 Job with one pod (job-lifecycle.md §4):
//! name `<release>-execute-<job id>`, `backoffLimit: 0`, `restartPolicy: Never`, image
//! `<image namespace>/<docker_image>`, the executor arguments, a `kubernetes.io/hostname`
//! nodeSelector when a node was chosen, CPU requests/limits from `cores` when the job enforces
//! CPUs and `nvidia.com/gpu` from `gpus`.
//!
//! Runs are found again by label on every observation, so the launcher keeps no state of its
//! own: a restarted scheduler sees the same runs, and a cancel issued while it was down is
//! applied by the reconcile pass.

use std::collections::BTreeMap;

use anyhow::Context;
use async_trait::async_trait;
use k8s_openapi::api::{
    batch::v1::Job,
    core::v1::{Node, Pod},
};
use kube::{
    Api, Client,
    api::{DeleteParams, ListParams, LogParams, PostParams},
};
use serde_json::json;

use super::{LaunchError, LaunchSpec, Launcher, RunObservation, RunState};

/// Labels that mark Causeway's executor Jobs and pods.
const NAME_LABEL: &str = "app.kubernetes.io/name";
const COMPONENT_LABEL: &str = "app.kubernetes.io/component";
const JOB_ID_LABEL: &str = "causeway.io/job-id";
const RELEASE_LABEL: &str = "app.kubernetes.io/instance";
const CONTAINER: &str = "execution-container";

#[derive(Debug, Clone)]
pub struct KubernetesSettings {
    /// API server URL; `None`: in-cluster configuration (or the local kubeconfig).
    pub api_url: Option<String>,
    pub namespace: String,
    /// Job names are `<release>-execute-<job id>`.
    pub release: String,
    /// Registry namespace of executor images, e.g. `registry.example.org/causeway`.
    pub image_namespace: String,
    /// Prefixes an algorithm's image must start with (`CAUSEWAY_IMAGE_ALLOWLIST`): checked again
    /// here, so an algorithm stored before the allow-list (or by hand) cannot run another image.
    pub image_allowlist: Vec<String>,
}

pub struct KubernetesLauncher {
    client: Client,
    settings: KubernetesSettings,
}

impl KubernetesLauncher {
    pub async fn connect(settings: KubernetesSettings) -> anyhow::Result<Self> {
        let client = match &settings.api_url {
            Some(url) => {
                let mut config = kube::Config::new(url.parse().context("CAUSEWAY_K8S_API_URL")?);
                config.default_namespace = settings.namespace.clone();
                Client::try_from(config)?
            }
            None => Client::try_default().await.context("loading the in-cluster Kubernetes configuration")?,
        };
        Ok(KubernetesLauncher { client, settings })
    }

    pub fn job_name(&self, job_id: i32) -> String {
        format!("{}-execute-{job_id}", self.settings.release)
    }

    fn jobs(&self) -> Api<Job> {
        Api::namespaced(self.client.clone(), &self.settings.namespace)
    }

    fn pods(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), &self.settings.namespace)
    }

    fn selector(&self) -> String {
        format!("{NAME_LABEL}=causeway,{COMPONENT_LABEL}=executor,{RELEASE_LABEL}={}", self.settings.release)
    }

    /// The Job object for a launch (also what the tests compare with).
    pub fn job_manifest(&self, spec: &LaunchSpec) -> anyhow::Result<Job> {
        let name = self.job_name(spec.job_id);
        let labels = json!({
            NAME_LABEL: "causeway",
            COMPONENT_LABEL: "executor",
            RELEASE_LABEL: self.settings.release,
            JOB_ID_LABEL: spec.job_id.to_string(),
            "job-name": name,
        });
        let image = spec.image.as_deref().filter(|i| !i.is_empty()).ok_or_else(|| {
            anyhow::anyhow!(
                "job {}: the algorithm has no docker_image, so it cannot run in the cluster",
                spec.job_id
            )
        })?;
        let allowed =
            self.settings.image_allowlist.iter().any(|p| !p.is_empty() && image.starts_with(p.as_str()))
                || crate::generators::GeneratorType::is_builtin_image(image);
        if !allowed {
            anyhow::bail!(
                "job {}: image {image:?} is not on the allow-list {:?} (CAUSEWAY_IMAGE_ALLOWLIST)",
                spec.job_id,
                self.settings.image_allowlist
            );
        }
        let image = match self.settings.image_namespace.trim_end_matches('/') {
            "" => image.to_owned(),
            namespace => format!("{namespace}/{image}"),
        };
        let mut resources = BTreeMap::new();
        if let Some(cpus) = &spec.cpus {
            resources.insert("cpu".to_owned(), cpus.clone());
        }
        if let Some(gpus) = spec.gpus {
            resources.insert("nvidia.com/gpu".to_owned(), gpus.to_string());
        }
        let mut pod_spec = json!({
            "restartPolicy": "Never",
            // Executors talk only to the collector; they have no business with the API server.
            "automountServiceAccountToken": false,
            "containers": [{
                "name": CONTAINER,
                "image": image,
                "imagePullPolicy": "Always",
                "args": spec.args,
                "resources": {"limits": resources, "requests": resources},
            }],
        });
        if let Some(node) = &spec.node {
            pod_spec["nodeSelector"] = json!({"kubernetes.io/hostname": node});
        }
        Ok(serde_json::from_value(json!({
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": name, "labels": labels},
            "spec": {
                "parallelism": 1,
                "completions": 1,
                "backoffLimit": 0,
                "template": {"metadata": {"labels": labels}, "spec": pod_spec},
            },
        }))?)
    }

    async fn pod_of(&self, job_id: i32) -> anyhow::Result<Option<Pod>> {
        let pods = self
            .pods()
            .list(&ListParams::default().labels(&format!("job-name={}", self.job_name(job_id))))
            .await?;
        Ok(pods.items.into_iter().next())
    }

    async fn delete_run(&self, job_id: i32) -> anyhow::Result<()> {
        let name = self.job_name(job_id);
        match self.jobs().delete(&name, &DeleteParams::background()).await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(err) => return Err(err.into()),
        }
        let pods = self.pods().list(&ListParams::default().labels(&format!("job-name={name}"))).await?;
        for pod in pods.items {
            let Some(pod_name) = pod.metadata.name else { continue };
            match self.pods().delete(&pod_name, &DeleteParams::default().grace_period(0)).await {
                Ok(_) => {}
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }
}

/// What a Job and its pod say about the run (job-lifecycle.md §5).
pub fn run_state(job: &Job, pod: Option<&Pod>) -> RunState {
    let status = job.status.as_ref();
    if status.and_then(|s| s.succeeded).unwrap_or(0) > 0 {
        return RunState::Succeeded;
    }
    if status.and_then(|s| s.failed).unwrap_or(0) > 0 {
        return RunState::Failed { exit_code: None };
    }
    let Some(pod_status) = pod.and_then(|p| p.status.as_ref()) else {
        return RunState::Pending;
    };
    match pod_status.phase.as_deref() {
        Some("Succeeded") => RunState::Succeeded,
        Some("Failed") => RunState::Failed { exit_code: None },
        Some("Running") => RunState::Running,
        _ => {
            let unschedulable =
                pod_status.conditions.as_ref().and_then(|c| c.last()).is_some_and(|c| {
                    c.type_ == "PodScheduled" && c.reason.as_deref() == Some("Unschedulable")
                });
            if unschedulable {
                return RunState::Unschedulable;
            }
            let image_missing =
                pod_status.container_statuses.as_ref().and_then(|c| c.last()).is_some_and(|c| {
                    let reason =
                        c.state.as_ref().and_then(|s| s.waiting.as_ref()).and_then(|w| w.reason.as_deref());
                    matches!(reason, Some("ImagePullBackOff" | "InvalidImageName" | "ErrImageNeverPull"))
                });
            if image_missing { RunState::ImageNotFound } else { RunState::Pending }
        }
    }
}

#[async_trait]
impl Launcher for KubernetesLauncher {
    async fn launch(&self, spec: &LaunchSpec) -> Result<String, LaunchError> {
        let manifest = self.job_manifest(spec).map_err(|err| LaunchError::NotRunnable(err.to_string()))?;
        let name = self.job_name(spec.job_id);
        match self.jobs().create(&PostParams::default(), &manifest).await {
            Ok(_) => {}
            // A Job of that name exists: a previous scheduler launched it and stopped before
            // recording it. It is this job's run.
            Err(kube::Error::Api(status)) if status.code == 409 => {
                tracing::warn!(job_id = spec.job_id, name, "Kubernetes Job already exists; adopting it");
            }
            Err(err) => {
                return Err(LaunchError::Other(
                    anyhow::Error::new(err).context("creating the Kubernetes Job"),
                ));
            }
        }
        tracing::info!(job_id = spec.job_id, name, "Kubernetes Job created");
        Ok(name)
    }

    async fn observe(&self) -> anyhow::Result<Vec<RunObservation>> {
        let selector = ListParams::default().labels(&self.selector());
        let jobs = self.jobs().list(&selector).await.context("listing Kubernetes Jobs")?;
        let pods = self.pods().list(&selector).await.context("listing pods")?;
        let mut observations = Vec::with_capacity(jobs.items.len());
        for job in &jobs.items {
            let labels = job.metadata.labels.clone().unwrap_or_default();
            let Some(job_id) = labels.get(JOB_ID_LABEL).and_then(|id| id.parse().ok()) else { continue };
            let name = job.metadata.name.clone().unwrap_or_default();
            let pod = pods
                .items
                .iter()
                .find(|p| p.metadata.labels.as_ref().and_then(|l| l.get("job-name")) == Some(&name));
            observations.push(RunObservation { job_id, container_id: name, state: run_state(job, pod) });
        }
        Ok(observations)
    }

    async fn stop(&self, job_id: i32) -> anyhow::Result<()> {
        self.delete_run(job_id).await
    }

    async fn logs(&self, job_id: i32) -> anyhow::Result<Option<String>> {
        let Some(pod) = self.pod_of(job_id).await? else { return Ok(None) };
        let Some(name) = pod.metadata.name else { return Ok(None) };
        let params = LogParams { container: Some(CONTAINER.to_owned()), ..LogParams::default() };
        match self.pods().logs(&name, &params).await {
            Ok(text) => Ok(Some(text)),
            // A pod that never started has no log yet.
            Err(kube::Error::Api(status)) if status.code == 400 || status.code == 404 => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    async fn cleanup(&self, job_id: i32) -> anyhow::Result<()> {
        self.delete_run(job_id).await
    }

    async fn nodes(&self) -> anyhow::Result<Vec<String>> {
        let nodes: Api<Node> = Api::all(self.client.clone());
        let list = nodes.list(&ListParams::default()).await.context("listing nodes")?;
        Ok(list
            .items
            .into_iter()
            .filter_map(|n| n.metadata.labels.and_then(|mut l| l.remove("kubernetes.io/hostname")))
            .collect())
    }
}
