//! The outbox trigger's `NOTIFY` can be skipped by a transaction that wakes its own process's
//! relay after committing (`SET LOCAL causeway.outbox_notify = 'off'`).
//!
//! Why: PostgreSQL serialises the commits of every transaction that sent a `NOTIFY` behind one
//! cluster-wide lock, held until the commit record is flushed, so such commits cannot share a
//! WAL flush (group commit). With 8 clients uploading small results, every upload waited for
//! the flushes of the others in turn (docs/benchmarks.md, "Small writes").

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('causeway.outbox_notify', true) IS DISTINCT FROM 'off' THEN
        PERFORM pg_notify('causeway_outbox', '');
    END IF;
    RETURN NULL;
END;
$$;
"#;

const DOWN: &str = r#"
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('causeway_outbox', '');
    RETURN NULL;
END;
$$;
"#;

sql_migration!("m20261204_300001_outbox_wake");
