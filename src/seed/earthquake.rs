//! The Earthquake example (Pearl's burglary alarm network), sampled from its CPTs.

use anyhow::Context;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::{
    datasets::{sources, store},
    events::{Entity, Event, outbox},
    random::SplitMix64,
};
use entity::{algorithm, dataset, experiment};

pub const EARTHQUAKE_DATASET: &str = "Earthquake dataset";
pub const EARTHQUAKE_TABLE: &str = "causeway_data.earthquake";
const ROWS: usize = 10_000;
const SEED: u64 = 20_261_128;
const COLUMNS: [&str; 5] = ["Burglary", "Earthquake", "Alarm", "JohnCalls", "MaryCalls"];
/// The true graph: (cause, effect).
pub const GROUND_TRUTH: [(&str, &str); 4] =
    [("Burglary", "Alarm"), ("Earthquake", "Alarm"), ("Alarm", "JohnCalls"), ("Alarm", "MaryCalls")];

/// Forward-samples the network (CPTs as published with bnlearn's `earthquake`).
/// Rows are Burglary, Earthquake, Alarm, JohnCalls, MaryCalls as 0/1.
pub fn sample(rows: usize, seed: u64) -> Vec<[u8; 5]> {
    let mut rng = SplitMix64::new(seed);
    let mut bernoulli = |p: f64| u8::from(rng.bernoulli(p));
    (0..rows)
        .map(|_| {
            let burglary = bernoulli(0.01);
            let earthquake = bernoulli(0.02);
            let p_alarm = match (burglary, earthquake) {
                (1, 1) => 0.95,
                (1, 0) => 0.94,
                (0, 1) => 0.29,
                _ => 0.001,
            };
            let alarm = bernoulli(p_alarm);
            let john = bernoulli(if alarm == 1 { 0.90 } else { 0.05 });
            let mary = bernoulli(if alarm == 1 { 0.70 } else { 0.01 });
            [burglary, earthquake, alarm, john, mary]
        })
        .collect()
}

/// Creates the table, the dataset with its ground truth and the "Earthquake experiment",
/// unless the dataset already exists.
pub async fn seed_earthquake(
    db: &DatabaseConnection,
    pool: &sqlx::PgPool,
    launcher: crate::config::LauncherKind,
) -> anyhow::Result<()> {
    let load_query = format!("SELECT * FROM {EARTHQUAKE_TABLE}");
    let existing = dataset::Entity::find()
        .filter(dataset::Column::Name.eq(EARTHQUAKE_DATASET))
        .filter(dataset::Column::LoadQuery.eq(load_query.as_str()))
        .one(db)
        .await?;
    if existing.is_some() {
        tracing::info!("earthquake example already present");
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE IF NOT EXISTS {EARTHQUAKE_TABLE} ({})",
        COLUMNS.map(|c| format!("\"{c}\" integer NOT NULL")).join(", ")
    )))
    .execute(&mut *tx)
    .await?;
    let present: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {EARTHQUAKE_TABLE}")))
            .fetch_one(&mut *tx)
            .await?;
    if present == 0 {
        let mut csv = String::with_capacity(ROWS * 10);
        for row in sample(ROWS, SEED) {
            let line: Vec<String> = row.iter().map(u8::to_string).collect();
            csv.push_str(&line.join(","));
            csv.push('\n');
        }
        let mut copy =
            tx.copy_in_raw(&format!("COPY {EARTHQUAKE_TABLE} FROM STDIN WITH (FORMAT csv)")).await?;
        copy.send(csv.into_bytes()).await?;
        copy.finish().await?;
    }
    let info = sources::pg_inspect(&mut tx, &load_query).await?;
    let dataset_id = store::insert_dataset(
        &mut tx,
        &store::NewDataset {
            name: Some(EARTHQUAKE_DATASET),
            description: Some("Pearl's burglary alarm network: 10,000 samples of 5 binary variables"),
            load_query: &load_query,
            data_source: sources::OWN_SOURCE,
            created_by: None,
        },
        &info,
    )
    .await?;
    let (causes, effects): (Vec<&str>, Vec<&str>) = GROUND_TRUTH.iter().copied().unzip();
    super::insert_ground_truth(&mut tx, dataset_id, &causes, &effects).await?;
    tx.commit().await?;

    // MPCSL's example experiment (pcalg, an image: only in a cluster) and the same with the
    // native PC and causal-learn, which also run on this machine out of the box.
    let examples = [
        (
            "pcalg",
            "Earthquake experiment",
            "PC (pcalg) with the binary conditional-independence test",
            json!({"alpha": 0.01, "cores": 1, "independence_test": "binCI", "verbose": 1}),
        ),
        (
            "causeway",
            "Earthquake experiment (native PC)",
            "Causeway's Rust PC-stable with the G² test",
            json!({"alpha": 0.01, "independence_test": "disCI", "cores": 1}),
        ),
        (
            "causal-learn",
            "Earthquake experiment (causal-learn PC)",
            "causal-learn's PC-stable (Python executor) with the G² test",
            json!({"alpha": 0.01, "independence_test": "gsq"}),
        ),
    ];
    for (package, name, description, parameters) in examples {
        let pc = algorithm::Entity::find()
            .filter(algorithm::Column::Package.eq(package))
            .filter(algorithm::Column::Function.eq("pc"))
            .one(db)
            .await?
            .with_context(|| format!("the catalogue has no {package}/pc entry"))?;
        if let Err(why) =
            crate::launcher::runs_here(launcher, pc.local_command.as_ref(), pc.docker_image.as_deref())
        {
            tracing::info!(example = name, why, "example not seeded: it cannot run here");
            continue;
        }
        let experiment = experiment::ActiveModel {
            dataset_id: Set(dataset_id),
            name: Set(Some(name.into())),
            algorithm_id: Set(Some(pc.id)),
            description: Set(Some(description.into())),
            parameters: Set(Some(parameters.clone())),
            ..Default::default()
        }
        .insert(db)
        .await?;
        crate::db::write_ordered_json(
            db,
            crate::db::OrderedJsonColumn::ExperimentParameters,
            experiment.id,
            &parameters,
        )
        .await?;
        let event = json!({ "id": experiment.id, "dataset_id": dataset_id });
        outbox::record(db, &[Event::new(Entity::Experiment, experiment.id, "created", event)]).await?;
    }
    tracing::info!(dataset_id, "earthquake example seeded");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_reproducible_and_follow_the_cpts() {
        let rows = sample(ROWS, SEED);
        assert_eq!(rows, sample(ROWS, SEED));
        let rate = |f: &dyn Fn(&[u8; 5]) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / ROWS as f64;
        // P(Burglary) = 0.01, P(Earthquake) = 0.02; P(Alarm) ≈ 0.0252 (marginalised CPT).
        assert!((rate(&|r| r[0] == 1) - 0.01).abs() < 0.005);
        assert!((rate(&|r| r[1] == 1) - 0.02).abs() < 0.007);
        assert!((rate(&|r| r[2] == 1) - 0.0252).abs() < 0.01);
        // JohnCalls given Alarm ≈ 0.9.
        let alarms: Vec<_> = rows.iter().filter(|r| r[2] == 1).collect();
        let john = alarms.iter().filter(|r| r[3] == 1).count() as f64 / alarms.len() as f64;
        assert!((john - 0.9).abs() < 0.1, "P(JohnCalls | Alarm) = {john}");
    }
}
