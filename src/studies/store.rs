//! Writing a study: the `study` row, its experiments and their events, in one statement each,
//! on the caller's transaction (used by `POST /api/studies` and the seed).

use serde_json::{Map, Value, json};
use sqlx::postgres::PgConnection;

use super::plan::{AlgorithmSpec, PlannedExperiment};
use crate::events::{Entity, Event, outbox};

/// A study to write.
#[derive(Debug, Clone)]
pub struct NewStudy {
    pub name: String,
    pub description: Option<String>,
    pub created_by: Option<String>,
    pub dataset_ids: Vec<i32>,
    pub algorithms: Vec<AlgorithmSpec>,
    pub max_retries: Option<i32>,
}

impl NewStudy {
    /// `{"dataset_ids": [..], "algorithms": [{"algorithm_id", "parameters", "runs"}]}`.
    pub fn spec(&self) -> Value {
        let algorithms: Vec<Value> = self
            .algorithms
            .iter()
            .map(|a| {
                let mut entry = Map::new();
                entry.insert("algorithm_id".into(), json!(a.algorithm_id));
                entry.insert("parameters".into(), Value::Object(a.parameters.clone()));
                entry.insert("runs".into(), json!(a.runs));
                Value::Object(entry)
            })
            .collect();
        let mut spec = Map::new();
        spec.insert("dataset_ids".into(), json!(self.dataset_ids));
        spec.insert("algorithms".into(), Value::Array(algorithms));
        Value::Object(spec)
    }
}

/// Inserts the study and its planned experiments (in plan order) with `study.created` and an
/// `experiment.created` each; returns the study's id and the experiments' ids in plan order.
pub async fn insert(
    conn: &mut PgConnection,
    new: &NewStudy,
    planned: &[PlannedExperiment],
) -> Result<(i32, Vec<i32>), sqlx::Error> {
    // json (not jsonb) columns are written from text, so key order survives.
    let study_id: i32 = sqlx::query_scalar(
        "INSERT INTO study (name, description, created_by, spec) VALUES ($1, $2, $3, CAST($4 AS json)) \
         RETURNING id",
    )
    .bind(&new.name)
    .bind(&new.description)
    .bind(&new.created_by)
    .bind(new.spec().to_string())
    .fetch_one(&mut *conn)
    .await?;
    let datasets: Vec<i32> = planned.iter().map(|p| p.dataset_id).collect();
    let names: Vec<String> = planned.iter().map(|p| p.name.clone()).collect();
    let algorithms: Vec<i32> = planned.iter().map(|p| p.algorithm_id).collect();
    let parameters: Vec<String> =
        planned.iter().map(|p| Value::Object(p.parameters.clone()).to_string()).collect();
    let points: Vec<String> = planned.iter().map(|p| Value::Object(p.point.clone()).to_string()).collect();
    let indices: Vec<i32> = planned.iter().map(|p| p.algorithm_index as i32).collect();
    // Serial ids follow the ORDER BY, so sorted ids are in plan order.
    let mut ids: Vec<i32> = sqlx::query_scalar(
        "INSERT INTO experiment (dataset_id, name, algorithm_id, parameters, created_by, study_id, study_point, \
                                 study_algorithm, max_retries) \
         SELECT d, n, a, CAST(p AS json), $7, $8, CAST(sp AS json), ai, COALESCE($9, 0) \
         FROM unnest($1::int[], $2::varchar[], $3::int[], $4::text[], $5::text[], $6::int[]) \
              WITH ORDINALITY AS x(d, n, a, p, sp, ai, o) \
         ORDER BY o RETURNING id",
    )
    .bind(&datasets)
    .bind(&names)
    .bind(&algorithms)
    .bind(&parameters)
    .bind(&points)
    .bind(&indices)
    .bind(&new.created_by)
    .bind(study_id)
    .bind(new.max_retries)
    .fetch_all(&mut *conn)
    .await?;
    ids.sort_unstable();
    let mut events = vec![Event::new(
        Entity::Study,
        study_id,
        "created",
        json!({ "id": study_id, "name": new.name, "dataset_ids": new.dataset_ids, "experiment_count": ids.len() }),
    )];
    events.extend(ids.iter().zip(planned).map(|(&id, p)| {
        Event::new(
            Entity::Experiment,
            id,
            "created",
            json!({ "id": id, "dataset_id": p.dataset_id, "algorithm_id": p.algorithm_id, "study_id": study_id }),
        )
    }));
    outbox::record_sqlx(conn, &events).await?;
    Ok((study_id, ids))
}
