//! The seeded study "Earthquake alpha sweep": the native PC and causal-learn's PC (each only
//! where it runs, like the example experiments) over five alphas on the Earthquake data, which
//! has a ground truth, so its benchmark page is the first thing a new user sees.

use anyhow::Context;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Map, Value, json};

use super::earthquake::EARTHQUAKE_DATASET;
use crate::studies::{
    plan::{self, AlgorithmSpec},
    store,
};
use entity::{algorithm, dataset, study};

pub const EARTHQUAKE_STUDY: &str = "Earthquake alpha sweep";

/// Creates the study unless one of that name exists (idempotent); skipped without the
/// Earthquake dataset or when neither PC runs here.
pub async fn seed_study(
    db: &DatabaseConnection,
    pool: &sqlx::PgPool,
    launcher: crate::config::LauncherKind,
) -> anyhow::Result<()> {
    if study::Entity::find().filter(study::Column::Name.eq(EARTHQUAKE_STUDY)).one(db).await?.is_some() {
        tracing::info!("earthquake study already present");
        return Ok(());
    }
    let Some(earthquake) =
        dataset::Entity::find().filter(dataset::Column::Name.eq(EARTHQUAKE_DATASET)).one(db).await?
    else {
        return Ok(());
    };
    let alphas = json!([0.001, 0.01, 0.05, 0.1, 0.2]);
    // Both with the G² test on the binary data, so their skeletons can be compared.
    let entries = [
        ("causeway", json!({"alpha": alphas, "independence_test": "disCI", "cores": 1})),
        ("causal-learn", json!({"alpha": alphas, "independence_test": "gsq"})),
    ];
    let mut specs = Vec::new();
    let mut algorithms = Vec::new();
    for (package, parameters) in entries {
        let pc = algorithm::Entity::find()
            .filter(algorithm::Column::Package.eq(package))
            .filter(algorithm::Column::Function.eq("pc"))
            .one(db)
            .await?
            .with_context(|| format!("the catalogue has no {package}/pc entry"))?;
        if let Err(why) =
            crate::launcher::runs_here(launcher, pc.local_command.as_ref(), pc.docker_image.as_deref())
        {
            tracing::info!(package, why, "not in the seeded study: it cannot run here");
            continue;
        }
        let parameters: Map<String, Value> = parameters.as_object().cloned().unwrap_or_default();
        specs.push(AlgorithmSpec { algorithm_id: pc.id, parameters, runs: 1 });
        algorithms.push(pc);
    }
    if specs.is_empty() {
        return Ok(());
    }
    let datasets = [(earthquake.id, EARTHQUAKE_DATASET.to_owned())];
    let planned = plan::plan(&datasets, &specs, &algorithms).map_err(anyhow::Error::msg)?;
    let new = store::NewStudy {
        name: EARTHQUAKE_STUDY.into(),
        description: Some(
            "The native PC and causal-learn's PC (G² test) over five significance levels on the \
             Earthquake data, scored against its ground truth"
                .into(),
        ),
        created_by: None,
        dataset_ids: vec![earthquake.id],
        algorithms: specs,
        max_retries: None,
    };
    let mut tx = pool.begin().await?;
    let (study_id, experiments) = store::insert(&mut tx, &new, &planned).await?;
    tx.commit().await?;
    tracing::info!(study_id, experiments = experiments.len(), "earthquake study seeded");
    Ok(())
}
