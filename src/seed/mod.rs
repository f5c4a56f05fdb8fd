//! `causeway seed`: the algorithm catalogue, the Earthquake and generated Gaussian examples and
//! a study over each. Idempotent.
//!
//! The catalogue is the versioned file `src/seed/algorithms.json`, upserted by
//! (package, function). The Earthquake data are sampled here, with a fixed seed, from the
//! network's published conditional probability tables, and the Gaussian data are drawn by the
//! built-in generator with a fixed seed: the project makes its own data.

mod earthquake;
mod gaussian;
mod study;

use anyhow::Context;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, TransactionTrait, TryIntoModel,
};
use serde::Deserialize;
use serde_json::{Value, json};

use entity::algorithm;

pub use earthquake::{EARTHQUAKE_DATASET, EARTHQUAKE_TABLE, seed_earthquake};
pub use gaussian::{GAUSSIAN_DATASET, GAUSSIAN_TABLE, options as gaussian_options, seed_gaussian};
pub use study::{EARTHQUAKE_STUDY, GAUSSIAN_ALPHAS, GAUSSIAN_STUDY, seed_studies};

const CATALOGUE: &str = include_str!("algorithms.json");

#[derive(Debug, Deserialize)]
struct Catalogue {
    version: u32,
    algorithms: Vec<CatalogueEntry>,
}

#[derive(Debug, Deserialize)]
struct CatalogueEntry {
    package: String,
    function: String,
    script_filename: Option<String>,
    docker_image: Option<String>,
    description: Option<String>,
    needs_gpu: Option<bool>,
    valid_parameters: Value,
    #[serde(default)]
    docker_parameters: Option<Value>,
    #[serde(default)]
    local_command: Option<Vec<String>>,
}

/// Seeds everything; safe to run any number of times. Only example experiments that can run
/// under `launcher` are made.
pub async fn run(
    db: &DatabaseConnection,
    pool: &sqlx::PgPool,
    launcher: crate::config::LauncherKind,
) -> anyhow::Result<()> {
    let (inserted, updated) = seed_catalogue(db).await?;
    tracing::info!(inserted, updated, "algorithm catalogue seeded");
    seed_earthquake(db, pool, launcher).await?;
    seed_gaussian(db, pool).await?;
    seed_studies(db, pool, launcher).await?;
    Ok(())
}

/// The ground truth of a seeded dataset: one edge per (cause, effect) pair of node names.
async fn insert_ground_truth(
    tx: &mut sqlx::PgConnection,
    dataset_id: i32,
    causes: &[&str],
    effects: &[&str],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO edge (from_node_id, to_node_id, is_ground_truth) \
         SELECT f.id, t.id, true FROM unnest($2::varchar[], $3::varchar[]) AS g(cause, effect) \
         JOIN node f ON f.dataset_id = $1 AND f.name = g.cause \
         JOIN node t ON t.dataset_id = $1 AND t.name = g.effect",
    )
    .bind(dataset_id)
    .bind(causes)
    .bind(effects)
    .execute(tx)
    .await?;
    Ok(())
}

/// Inserts new catalogue entries and updates existing ones, keyed by (package, function).
pub async fn seed_catalogue(db: &DatabaseConnection) -> anyhow::Result<(usize, usize)> {
    load_catalogue(db, CATALOGUE).await.context("loading src/seed/algorithms.json")
}

/// `causeway catalogue load FILE`: an operator's catalogue file (the format of
/// `src/seed/algorithms.json`), upserted by (package, function). This and the built-in file are
/// the only ways a `local_command` gets into the database: the API refuses it.
pub async fn load_catalogue_file(
    db: &DatabaseConnection,
    path: &std::path::Path,
) -> anyhow::Result<(usize, usize)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    load_catalogue(db, &text).await.with_context(|| format!("loading {}", path.display()))
}

/// Checks every entry first, so a file with one bad entry changes nothing.
pub async fn load_catalogue(db: &DatabaseConnection, text: &str) -> anyhow::Result<(usize, usize)> {
    let catalogue: Catalogue = serde_json::from_str(text).context("parsing the catalogue")?;
    tracing::debug!(version = catalogue.version, "catalogue file");
    for entry in &catalogue.algorithms {
        let mut errors = crate::api::error::FieldErrors::default();
        crate::parameters::check_schema(&entry.valid_parameters, &mut errors);
        if !errors.is_empty() {
            anyhow::bail!(
                "{}/{}: invalid valid_parameters: {}",
                entry.package,
                entry.function,
                errors.into_value()
            );
        }
        if entry.local_command.as_ref().is_some_and(Vec::is_empty) {
            anyhow::bail!("{}/{}: local_command must name a program", entry.package, entry.function);
        }
    }
    let tx = db.begin().await?;
    let (mut inserted, mut updated) = (0, 0);
    for entry in catalogue.algorithms {
        let existing = algorithm::Entity::find()
            .filter(algorithm::Column::Package.eq(entry.package.as_str()))
            .filter(algorithm::Column::Function.eq(entry.function.as_str()))
            .one(&tx)
            .await?;
        let mut model = match existing {
            Some(model) => {
                updated += 1;
                model.into_active_model()
            }
            None => {
                inserted += 1;
                algorithm::ActiveModel { package: Set(Some(entry.package.clone())), ..Default::default() }
            }
        };
        model.function = Set(Some(entry.function));
        model.script_filename = Set(entry.script_filename);
        model.docker_image = Set(entry.docker_image);
        model.description = Set(entry.description);
        model.needs_gpu = Set(entry.needs_gpu);
        model.valid_parameters = Set(Some(entry.valid_parameters.clone()));
        model.docker_parameters = Set(entry.docker_parameters.unwrap_or_else(|| json!({})));
        model.local_command = Set(entry.local_command.map(|c| json!(c)));
        let saved = model.save(&tx).await?;
        let id = saved.try_into_model()?.id;
        crate::db::write_ordered_json(
            &tx,
            crate::db::OrderedJsonColumn::AlgorithmValidParameters,
            id,
            &entry.valid_parameters,
        )
        .await?;
    }
    tx.commit().await?;
    Ok((inserted, updated))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::FieldErrors;

    #[test]
    fn every_catalogue_schema_is_valid() {
        let catalogue: Catalogue = serde_json::from_str(CATALOGUE).unwrap();
        assert!(catalogue.algorithms.len() >= 8);
        for entry in &catalogue.algorithms {
            let mut errors = FieldErrors::default();
            crate::parameters::check_schema(&entry.valid_parameters, &mut errors);
            assert!(errors.is_empty(), "{}/{}: {:?}", entry.package, entry.function, errors);
        }
    }
}
