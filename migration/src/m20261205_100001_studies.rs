//! Studies (issue 14): a grid of experiments over datasets × algorithms × parameter points.
//!
//! `study.spec` keeps the request's `dataset_ids` and `algorithms` as given. It is `json`, not
//! `jsonb`, like every parameter map (docs/architecture.md): the grid is the cartesian product
//! over parameters in the order given, and the study shows its specs as given, so key order
//! must survive. `started_at` marks the latest round of jobs (`POST /api/study/{id}/start`).
//! `experiment.study_id` cascades: deleting a study deletes its experiments (and their jobs and
//! results, through their own cascades); `experiment.study_point` is the experiment's grid point
//! and `experiment.study_algorithm` the index of its entry in `spec.algorithms` (its runs, and
//! the benchmark's row order; one algorithm may appear twice with different grids).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE study (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    description varchar,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    created_by varchar,
    spec json NOT NULL,
    started_at timestamp with time zone
);
ALTER TABLE experiment ADD COLUMN study_id integer REFERENCES study (id) ON DELETE CASCADE;
ALTER TABLE experiment ADD COLUMN study_point json;
ALTER TABLE experiment ADD COLUMN study_algorithm integer CHECK (study_algorithm >= 0);
CREATE INDEX experiment_study_id_idx ON experiment (study_id);
"#;

const DOWN: &str = r#"
DROP INDEX IF EXISTS experiment_study_id_idx;
ALTER TABLE experiment DROP COLUMN IF EXISTS study_algorithm;
ALTER TABLE experiment DROP COLUMN IF EXISTS study_point;
ALTER TABLE experiment DROP COLUMN IF EXISTS study_id;
DROP TABLE IF EXISTS study;
"#;

sql_migration!("m20261205_100001_studies");
