//! What the job engine needs beyond MPCSL's model:
//! - `algorithm.local_command`: how the local launcher runs an algorithm on this machine
//!   (program and leading arguments, a JSON array of strings); `docker_image` says how it runs
//!   as an image;
//! - `job.upload_token`: the per-job secret executors present to the collector;
//! - `job.launched_at`: when the run was started (timeouts, scheduling latency);
//! - a NOTIFY on outbox inserts, so the relay publishes at commit time instead of polling.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE algorithm ADD COLUMN local_command json;
ALTER TABLE job ADD COLUMN upload_token uuid;
ALTER TABLE job ADD COLUMN launched_at timestamptz;
CREATE INDEX job_waiting_idx ON job (id) WHERE status = 'waiting';

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('causeway_outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
"#;

const DOWN: &str = r#"
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
DROP FUNCTION IF EXISTS outbox_notify();
DROP INDEX IF EXISTS job_waiting_idx;
ALTER TABLE job DROP COLUMN IF EXISTS launched_at;
ALTER TABLE job DROP COLUMN IF EXISTS upload_token;
ALTER TABLE algorithm DROP COLUMN IF EXISTS local_command;
"#;

sql_migration!("m20261128_000002_job_engine");
