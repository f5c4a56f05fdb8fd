//! What to run for a claimed job: the executor contract's arguments (executor-contract.md §1)
//! and, for generation jobs, the generator's (§6.1).

use std::collections::HashMap;

use anyhow::{Context, bail};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::{launcher::LaunchSpec, parameters::python_str};

/// Where executors reach the collector: `<host>/t/<token>`. Unmodified MPCSL scripts prefix it
/// with `http://` and append `/api/…`, so the token travels in the path.
pub fn api_host_with_token(api_host: &str, token: Uuid) -> String {
    format!("{}/t/{}", api_host.trim_end_matches('/'), token.simple())
}

type ExperimentRun = (
    i32,            // dataset id
    Option<String>, // parameters as stored (json text keeps key order)
    Option<String>, // script_filename
    Option<String>, // docker_image
    Option<String>, // local_command (json text)
    Option<String>, // node_hostname
    Option<bool>,   // enforce_cpus
    Option<i32>,    // gpus
);

/// Builds the launch of an experiment job.
pub async fn experiment_launch(
    pool: &PgPool,
    job_id: i32,
    api_host: &str,
    token: Uuid,
    send_sepsets: bool,
) -> anyhow::Result<LaunchSpec> {
    let run: ExperimentRun = sqlx::query_as(
        "SELECT e.dataset_id, e.parameters::text, a.script_filename, \
                a.docker_image, a.local_command::text, j.node_hostname, j.enforce_cpus, j.gpus \
         FROM job j JOIN experiment e ON e.id = j.experiment_id JOIN algorithm a ON a.id = e.algorithm_id \
         WHERE j.id = $1",
    )
    .bind(job_id)
    .fetch_optional(pool)
    .await?
    .with_context(|| format!("job {job_id} has no experiment with an algorithm"))?;
    let (
        dataset_id,
        parameters,
        script_filename,
        docker_image,
        local_command,
        node_hostname,
        enforce_cpus,
        gpus,
    ) = run;
    // The text keeps the stored key order (`json`), which the executor sees as argument order.
    let parameters: serde_json::Map<String, Value> = match parameters {
        Some(text) => serde_json::from_str(&text).context("experiment parameters")?,
        None => serde_json::Map::new(),
    };
    let mut args = vec![
        script_filename.unwrap_or_default(),
        "-j".into(),
        job_id.to_string(),
        "-d".into(),
        dataset_id.to_string(),
        "--api_host".into(),
        api_host_with_token(api_host, token),
        "--send_sepsets".into(),
        if send_sepsets { "1" } else { "0" }.into(),
    ];
    for (key, value) in &parameters {
        args.push(format!("--{key}"));
        args.push(python_str(value));
    }
    let cores = parameters.get("cores").map(python_str);
    let cpus = if enforce_cpus.unwrap_or(true) { cores.clone() } else { None };
    let mut env = HashMap::new();
    if let Some(cores) = &cores {
        // Honoured by OpenMP/BLAS/rayon-based executors on a local run.
        for var in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS", "CAUSEWAY_CORES"] {
            env.insert(var.to_owned(), cores.clone());
        }
    }
    let local_command = match local_command {
        None => None,
        Some(text) => Some(string_list(&serde_json::from_str(&text)?).context("algorithm.local_command")?),
    };
    Ok(LaunchSpec { job_id, local_command, image: docker_image, args, node: node_hostname, cpus, gpus, env })
}

fn string_list(value: &Value) -> anyhow::Result<Vec<String>> {
    let Some(items) = value.as_array() else { bail!("must be an array of strings") };
    items.iter().map(|item| item.as_str().map(str::to_owned).context("must be an array of strings")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_travels_in_the_api_host_path() {
        let token = Uuid::parse_str("0c2d1b8e-0000-4000-8000-000000000001").unwrap();
        assert_eq!(
            api_host_with_token("collector:8080/", token),
            "collector:8080/t/0c2d1b8e000040008000000000000001"
        );
    }
}
