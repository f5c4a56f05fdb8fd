//! The whole MPCSL data model (see docs/architecture.md, "Data model") plus the event outbox.
//!
//! Differences from MPCSL's Alembic schema, all deliberate:
//! - one `job` table for both job kinds, with a `type` discriminator and CHECK constraints,
//!   instead of joined-table inheritance: listing jobs is then one query;
//! - foreign keys cascade in the database, so deleting a dataset with a million edges is one
//!   statement instead of an application-side walk;
//! - `edge_annotation` has MPCSL's API values (`approved|declined|missing`), and an annotation is
//!   unique per (result, from, to);
//! - all timestamps carry a time zone (stored UTC);
//! - `json` (not `jsonb`) for parameter maps, because executors receive parameters in stored key
//!   order.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE SCHEMA IF NOT EXISTS causeway_data;

CREATE TYPE job_status AS ENUM ('waiting', 'running', 'done', 'error', 'cancelled', 'hidden');
CREATE TYPE job_error_code AS ENUM ('UNSCHEDULABLE', 'IMAGE_NOT_FOUND', 'UNKNOWN');
CREATE TYPE edge_annotation AS ENUM ('approved', 'declined', 'missing');

CREATE TABLE algorithm (
    id                serial PRIMARY KEY,
    package           varchar,
    function          varchar,
    script_filename   varchar,
    docker_image      varchar,
    description       varchar,
    needs_gpu         boolean,
    valid_parameters  json,
    docker_parameters json NOT NULL DEFAULT '{}'
);
CREATE INDEX algorithm_package_function_idx ON algorithm (package, function);

CREATE TABLE dataset (
    id           serial PRIMARY KEY,
    name         varchar,
    description  varchar,
    load_query   varchar,
    data_source  varchar NOT NULL DEFAULT 'postgres',
    time_created timestamptz NOT NULL DEFAULT now(),
    content_hash varchar NOT NULL
);

CREATE TABLE node (
    id         serial PRIMARY KEY,
    dataset_id integer NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    name       varchar
);
CREATE INDEX node_dataset_id_idx ON node (dataset_id);

CREATE TABLE experiment (
    id           serial PRIMARY KEY,
    dataset_id   integer NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    name         varchar,
    algorithm_id integer REFERENCES algorithm (id) ON DELETE RESTRICT,
    description  varchar,
    parameters   json
);
CREATE INDEX experiment_dataset_id_idx ON experiment (dataset_id);
CREATE INDEX experiment_algorithm_id_idx ON experiment (algorithm_id);

CREATE TABLE job (
    id             serial PRIMARY KEY,
    type           varchar NOT NULL
                   CHECK (type IN ('experiment_job', 'dataset_generation_job')),
    start_time     timestamptz NOT NULL DEFAULT now(),
    end_time       timestamptz,
    container_id   varchar,
    node_hostname  varchar,
    status         job_status NOT NULL DEFAULT 'waiting',
    log            text,
    error_code     job_error_code,
    -- experiment_job
    experiment_id  integer REFERENCES experiment (id) ON DELETE CASCADE,
    parallel       boolean,
    enforce_cpus   boolean,
    gpus           integer,
    -- dataset_generation_job
    dataset_id     integer REFERENCES dataset (id) ON DELETE CASCADE,
    dataset_name   varchar,
    generator_type varchar,
    parameters     json,
    CONSTRAINT job_kind_columns CHECK (
        (type = 'experiment_job' AND experiment_id IS NOT NULL)
        OR (type = 'dataset_generation_job' AND dataset_name IS NOT NULL
            AND generator_type IS NOT NULL AND parameters IS NOT NULL)
    )
);
CREATE INDEX job_status_idx ON job (status);
CREATE INDEX job_experiment_id_idx ON job (experiment_id);
CREATE INDEX job_dataset_id_idx ON job (dataset_id);

CREATE TABLE result (
    id                   serial PRIMARY KEY,
    job_id               integer NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    start_time           timestamptz NOT NULL,
    end_time             timestamptz NOT NULL,
    execution_time       double precision,
    dataset_loading_time double precision,
    meta_results         json
);
CREATE INDEX result_job_id_idx ON result (job_id);

CREATE TABLE edge (
    id              bigserial PRIMARY KEY,
    result_id       integer REFERENCES result (id) ON DELETE CASCADE,
    from_node_id    integer NOT NULL REFERENCES node (id) ON DELETE CASCADE,
    to_node_id      integer NOT NULL REFERENCES node (id) ON DELETE CASCADE,
    weight          double precision,
    is_ground_truth boolean
);
CREATE INDEX edge_result_id_idx ON edge (result_id);
CREATE INDEX edge_from_node_id_idx ON edge (from_node_id);
CREATE INDEX edge_to_node_id_idx ON edge (to_node_id);

CREATE TABLE sepset (
    id           bigserial PRIMARY KEY,
    result_id    integer NOT NULL REFERENCES result (id) ON DELETE CASCADE,
    from_node_id integer NOT NULL REFERENCES node (id) ON DELETE CASCADE,
    to_node_id   integer NOT NULL REFERENCES node (id) ON DELETE CASCADE,
    statistic    double precision NOT NULL,
    level        integer NOT NULL
);
CREATE INDEX sepset_result_id_idx ON sepset (result_id);
CREATE INDEX sepset_from_node_id_idx ON sepset (from_node_id);
CREATE INDEX sepset_to_node_id_idx ON sepset (to_node_id);

CREATE TABLE edge_information (
    id           serial PRIMARY KEY,
    result_id    integer NOT NULL REFERENCES result (id) ON DELETE CASCADE,
    from_node_id integer NOT NULL REFERENCES node (id) ON DELETE CASCADE,
    to_node_id   integer NOT NULL REFERENCES node (id) ON DELETE CASCADE,
    annotation   edge_annotation NOT NULL,
    CONSTRAINT edge_information_one_per_edge UNIQUE (result_id, from_node_id, to_node_id)
);
CREATE INDEX edge_information_from_node_id_idx ON edge_information (from_node_id);
CREATE INDEX edge_information_to_node_id_idx ON edge_information (to_node_id);

-- Transactional outbox: every state change inserts its event here in the same transaction; the
-- relay publishes unpublished rows to JetStream (Nats-Msg-Id = id) and stamps published_at.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    subject      varchar NOT NULL,
    event_type   varchar NOT NULL,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;
"#;

// The causeway_data schema is deliberately left in place: it may hold user data.
const DOWN: &str = r#"
DROP TABLE IF EXISTS outbox, edge_information, sepset, edge, result, job, experiment, node,
    dataset, algorithm;
DROP TYPE IF EXISTS edge_annotation, job_error_code, job_status;
"#;

sql_migration!("m20261128_000001_initial");
