//! What to run for a claimed job: the executor contract's arguments (executor-contract.md §1)
//! and, for generation jobs, the generator's (§6.1).

use std::collections::HashMap;

use anyhow::{Context, bail};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::{
    generators::{GeneratorType, generator_args},
    launcher::LaunchSpec,
    parameters::python_str,
};

/// Where executors reach the collector: `<host>/t/<token>`. Unmodified MPCSL scripts prefix it
/// with `http://` and append `/api/…`, so the token travels in the path.
pub fn api_host_with_token(api_host: &str, token: Uuid) -> String {
    format!("{}/t/{}", api_host.trim_end_matches('/'), token.simple())
}

/// What an experiment job's launch is built from: its experiment, algorithm and options.
struct ExperimentRun {
    job_id: i32,
    dataset_id: i32,
    /// As stored: the `json` text keeps the key order executors see as argument order.
    parameters: Option<String>,
    script_filename: Option<String>,
    docker_image: Option<String>,
    /// JSON array text.
    local_command: Option<String>,
    node_hostname: Option<String>,
    enforce_cpus: Option<bool>,
    gpus: Option<i32>,
}

impl sqlx::FromRow<'_, sqlx::postgres::PgRow> for ExperimentRun {
    fn from_row(row: &sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        Ok(ExperimentRun {
            job_id: row.try_get(0)?,
            dataset_id: row.try_get(1)?,
            parameters: row.try_get(2)?,
            script_filename: row.try_get(3)?,
            docker_image: row.try_get(4)?,
            local_command: row.try_get(5)?,
            node_hostname: row.try_get(6)?,
            enforce_cpus: row.try_get(7)?,
            gpus: row.try_get(8)?,
        })
    }
}

/// Builds the launches of claimed experiment jobs (id, upload token) with one query.
pub async fn experiment_launches(
    pool: &PgPool,
    jobs: &[(i32, Uuid)],
    api_host: &str,
    send_sepsets: bool,
) -> anyhow::Result<HashMap<i32, anyhow::Result<LaunchSpec>>> {
    let ids: Vec<i32> = jobs.iter().map(|(id, _)| *id).collect();
    let rows: Vec<ExperimentRun> =
        sqlx::query_as(
            "SELECT j.id, e.dataset_id, e.parameters::text, a.script_filename, \
                    a.docker_image, a.local_command::text, j.node_hostname, j.enforce_cpus, j.gpus \
             FROM job j JOIN experiment e ON e.id = j.experiment_id JOIN algorithm a ON a.id = e.algorithm_id \
             WHERE j.id = ANY($1)",
        )
        .bind(&ids)
        .fetch_all(pool)
        .await?;
    let mut runs: HashMap<i32, ExperimentRun> = rows.into_iter().map(|run| (run.job_id, run)).collect();
    Ok(jobs
        .iter()
        .map(|&(id, token)| {
            let spec = match runs.remove(&id) {
                Some(run) => experiment_launch(id, run, api_host, token, send_sepsets),
                None => Err(anyhow::anyhow!("job {id} has no experiment with an algorithm")),
            };
            (id, spec)
        })
        .collect())
}

/// The launch of one experiment job from its row (executor-contract.md §1).
fn experiment_launch(
    job_id: i32,
    run: ExperimentRun,
    api_host: &str,
    token: Uuid,
    send_sepsets: bool,
) -> anyhow::Result<LaunchSpec> {
    let ExperimentRun {
        dataset_id,
        parameters,
        script_filename,
        docker_image,
        local_command,
        node_hostname,
        enforce_cpus,
        gpus,
        ..
    } = run;
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

/// Builds the launch of a dataset-generation job (executor-contract.md §6.1).
pub async fn generation_launch(
    pool: &PgPool,
    job_id: i32,
    api_host: &str,
    token: Uuid,
    causeway_bin: Option<&str>,
) -> anyhow::Result<LaunchSpec> {
    let (generator, parameters, node): (Option<String>, Option<String>, Option<String>) =
        sqlx::query_as("SELECT generator_type, parameters::text, node_hostname FROM job WHERE id = $1")
            .bind(job_id)
            .fetch_one(pool)
            .await?;
    let generator = generator
        .as_deref()
        .and_then(GeneratorType::parse)
        .with_context(|| format!("job {job_id}: unknown generator type {generator:?}"))?;
    let parameters: serde_json::Map<String, Value> = match parameters {
        Some(text) => serde_json::from_str(&text).context("generator parameters must be an object")?,
        None => serde_json::Map::new(),
    };
    let (image, script) = generator.image_and_script();
    Ok(LaunchSpec {
        job_id,
        local_command: generator.local_command(causeway_bin),
        image: Some(image.to_owned()),
        args: generator_args(script, &api_host_with_token(api_host, token), job_id, &parameters),
        node,
        cpus: None,
        gpus: None,
        env: HashMap::new(),
    })
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
