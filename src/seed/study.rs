//! The seeded studies, both the native PC and causal-learn's PC (each only where it runs, like
//! the example experiments) with the same test over an alpha grid, on data with a ground truth:
//!
//! - "Gaussian alpha sweep" on the generated Gaussian data (Fisher-z): the curve a researcher
//!   expects, TPR and FPR rising with alpha and SHD lowest in between; the README's start page;
//! - "Earthquake alpha sweep" on the Earthquake data (G²): found exactly at every alpha.

use anyhow::Context;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Map, Value, json};

use super::{earthquake::EARTHQUAKE_DATASET, gaussian::GAUSSIAN_DATASET};
use crate::studies::{
    plan::{self, AlgorithmSpec},
    store,
};
use entity::{algorithm, dataset, study};

pub const EARTHQUAKE_STUDY: &str = "Earthquake alpha sweep";
pub const GAUSSIAN_STUDY: &str = "Gaussian alpha sweep";
/// The Gaussian study's grid (the benchmark rows' order).
pub const GAUSSIAN_ALPHAS: [f64; 7] = [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.2];

/// A seeded study: its name, dataset, description and the parameters of each PC.
struct Sweep {
    name: &'static str,
    dataset: &'static str,
    description: &'static str,
    entries: [(&'static str, Value); 2],
}

/// Seeds both studies, the Earthquake one first (so the Gaussian one, newer, is listed first).
pub async fn seed_studies(
    db: &DatabaseConnection,
    pool: &sqlx::PgPool,
    launcher: crate::config::LauncherKind,
) -> anyhow::Result<()> {
    let earthquake_alphas = json!([0.001, 0.01, 0.05, 0.1, 0.2]);
    let gaussian_alphas = json!(GAUSSIAN_ALPHAS);
    let sweeps = [
        Sweep {
            name: EARTHQUAKE_STUDY,
            dataset: EARTHQUAKE_DATASET,
            description: "The native PC and causal-learn's PC (G² test) over five significance levels on the \
                          Earthquake data, scored against its ground truth",
            // Both with the G² test on the binary data, so their skeletons can be compared.
            entries: [
                ("causeway", json!({"alpha": earthquake_alphas, "independence_test": "disCI", "cores": 1})),
                ("causal-learn", json!({"alpha": earthquake_alphas, "independence_test": "gsq"})),
            ],
        },
        Sweep {
            name: GAUSSIAN_STUDY,
            dataset: GAUSSIAN_DATASET,
            description: "The native PC and causal-learn's PC (Fisher-z test) over seven significance levels \
                          on generated linear-Gaussian data with weak edges: TPR and FPR rise with alpha, \
                          SHD is lowest in between",
            entries: [
                ("causeway", json!({"alpha": gaussian_alphas, "independence_test": "gaussCI", "cores": 1})),
                ("causal-learn", json!({"alpha": gaussian_alphas, "independence_test": "fisherz"})),
            ],
        },
    ];
    for sweep in sweeps {
        let name = sweep.name;
        seed_sweep(db, pool, launcher, sweep).await.with_context(|| format!("seeding the study {name:?}"))?;
    }
    Ok(())
}

/// Creates the study unless one of that name exists (idempotent); skipped without its dataset
/// or when neither PC runs here.
async fn seed_sweep(
    db: &DatabaseConnection,
    pool: &sqlx::PgPool,
    launcher: crate::config::LauncherKind,
    sweep: Sweep,
) -> anyhow::Result<()> {
    if study::Entity::find().filter(study::Column::Name.eq(sweep.name)).one(db).await?.is_some() {
        tracing::info!(study = sweep.name, "seeded study already present");
        return Ok(());
    }
    let Some(data) = dataset::Entity::find().filter(dataset::Column::Name.eq(sweep.dataset)).one(db).await?
    else {
        return Ok(());
    };
    let mut specs = Vec::new();
    let mut algorithms = Vec::new();
    for (package, parameters) in sweep.entries {
        let pc = algorithm::Entity::find()
            .filter(algorithm::Column::Package.eq(package))
            .filter(algorithm::Column::Function.eq("pc"))
            .one(db)
            .await?
            .with_context(|| format!("the catalogue has no {package}/pc entry"))?;
        if let Err(why) =
            crate::launcher::runs_here(launcher, pc.local_command.as_ref(), pc.docker_image.as_deref())
        {
            tracing::info!(study = sweep.name, package, why, "not in the seeded study: it cannot run here");
            continue;
        }
        let parameters: Map<String, Value> = parameters.as_object().cloned().unwrap_or_default();
        specs.push(AlgorithmSpec { algorithm_id: pc.id, parameters, runs: 1 });
        algorithms.push(pc);
    }
    if specs.is_empty() {
        return Ok(());
    }
    let datasets = [(data.id, sweep.dataset.to_owned())];
    let planned = plan::plan(&datasets, &specs, &algorithms).map_err(anyhow::Error::msg)?;
    let new = store::NewStudy {
        name: sweep.name.into(),
        description: Some(sweep.description.into()),
        created_by: None,
        dataset_ids: vec![data.id],
        algorithms: specs,
        max_retries: None,
    };
    let mut tx = pool.begin().await?;
    let (study_id, experiments) = store::insert(&mut tx, &new, &planned).await?;
    tx.commit().await?;
    tracing::info!(study = sweep.name, study_id, experiments = experiments.len(), "study seeded");
    Ok(())
}
