//! A study's progress: counts of the latest round of its experiments' jobs, and the
//! `study.<id>.progress` / `study.<id>.finished` events written when one of them ends.
//!
//! The latest round is every job created since the study was last started
//! (`study.started_at`; all jobs when it never was), hidden jobs left out. Everything runs on
//! the caller's connection, inside its transaction.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;
use sqlx::postgres::PgConnection;

use crate::events::{Entity, Event};

/// Job counts by status; `total` is their sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub waiting: i64,
    pub running: i64,
    pub done: i64,
    pub error: i64,
    pub cancelled: i64,
    pub total: i64,
}

/// `new`: no jobs; `running`: some waiting or running; `finished` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StudyState {
    New,
    Running,
    Finished,
}

impl Progress {
    fn add(&mut self, status: &str, count: i64) {
        match status {
            "waiting" => self.waiting += count,
            "running" => self.running += count,
            "done" => self.done += count,
            "error" => self.error += count,
            "cancelled" => self.cancelled += count,
            _ => return,
        }
        self.total += count;
    }

    pub fn merge(&mut self, other: &Progress) {
        self.waiting += other.waiting;
        self.running += other.running;
        self.done += other.done;
        self.error += other.error;
        self.cancelled += other.cancelled;
        self.total += other.total;
    }

    pub fn state(&self) -> StudyState {
        if self.total == 0 {
            StudyState::New
        } else if self.waiting + self.running > 0 {
            StudyState::Running
        } else {
            StudyState::Finished
        }
    }
}

/// Progress of every experiment of the given studies that has jobs in the latest round:
/// experiment id → (study id, progress).
pub async fn by_experiment(
    conn: &mut PgConnection,
    study_ids: &[i32],
) -> Result<HashMap<i32, (i32, Progress)>, sqlx::Error> {
    let rows: Vec<(i32, i32, String, i64)> = sqlx::query_as(
        "SELECT e.study_id, e.id, j.status::text, count(*) \
         FROM experiment e JOIN study s ON s.id = e.study_id JOIN job j ON j.experiment_id = e.id \
         WHERE e.study_id = ANY($1) AND j.status <> 'hidden' \
           AND (s.started_at IS NULL OR j.start_time >= s.started_at) \
         GROUP BY e.study_id, e.id, j.status",
    )
    .bind(study_ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut progress: HashMap<i32, (i32, Progress)> = HashMap::new();
    for (study_id, experiment_id, status, count) in rows {
        progress.entry(experiment_id).or_insert((study_id, Progress::default())).1.add(&status, count);
    }
    Ok(progress)
}

/// Progress of each of the given studies (studies without jobs are absent).
pub async fn by_study(
    conn: &mut PgConnection,
    study_ids: &[i32],
) -> Result<HashMap<i32, Progress>, sqlx::Error> {
    let mut studies: HashMap<i32, Progress> = HashMap::new();
    for (study_id, progress) in by_experiment(conn, study_ids).await?.into_values() {
        studies.entry(study_id).or_default().merge(&progress);
    }
    Ok(studies)
}

/// The study events for jobs of `experiment_ids` that just ended (called by `lifecycle` in the
/// transaction that ends them): `progress` for each study concerned, and `finished` when none
/// of its jobs waits or runs any more. Study rows are locked first (in id order), so two jobs
/// ending at once are counted one after the other and exactly one of them sees the last end.
pub async fn job_end_events(
    conn: &mut PgConnection,
    experiment_ids: &[i32],
) -> Result<Vec<Event>, sqlx::Error> {
    if experiment_ids.is_empty() {
        return Ok(vec![]);
    }
    let study_ids: Vec<i32> = sqlx::query_scalar(
        "SELECT s.id FROM study s WHERE s.id IN \
           (SELECT e.study_id FROM experiment e WHERE e.id = ANY($1) AND e.study_id IS NOT NULL) \
         ORDER BY s.id FOR UPDATE OF s",
    )
    .bind(experiment_ids)
    .fetch_all(&mut *conn)
    .await?;
    if study_ids.is_empty() {
        return Ok(vec![]);
    }
    let progress: BTreeMap<i32, Progress> = by_study(conn, &study_ids).await?.into_iter().collect();
    let mut events = Vec::new();
    for study_id in study_ids {
        let progress = progress.get(&study_id).copied().unwrap_or_default();
        let data = event_data(study_id, &progress);
        events.push(Event::new(Entity::Study, study_id, "progress", data.clone()));
        if progress.state() == StudyState::Finished {
            events.push(Event::new(Entity::Study, study_id, "finished", data));
        }
    }
    Ok(events)
}

/// The data of progress and finished events: the study's id and its [`Progress`].
pub fn event_data(study_id: i32, progress: &Progress) -> Value {
    let mut data = serde_json::to_value(progress).unwrap_or_default();
    if let Value::Object(map) = &mut data {
        map.insert("id".into(), Value::from(study_id));
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_follows_the_counts() {
        let mut p = Progress::default();
        assert_eq!(p.state(), StudyState::New);
        p.add("waiting", 2);
        p.add("done", 1);
        assert_eq!((p.total, p.state()), (3, StudyState::Running));
        let q = Progress { done: 2, error: 1, total: 3, ..Default::default() };
        assert_eq!(q.state(), StudyState::Finished);
        p.add("hidden", 5);
        assert_eq!(p.total, 3);
        let data = event_data(4, &q);
        assert_eq!(data["id"], 4);
        assert_eq!(data["done"], 2);
        assert_eq!(data["total"], 3);
    }
}
