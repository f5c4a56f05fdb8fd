//! Identity (docs/security.md):
//! - `api_token`: API tokens of people and services. Only the SHA-256 of the secret is kept;
//!   `last_used_at` is refreshed at most once a minute.
//! - `ws_ticket`: single-use, short-lived tickets that let a browser open `/ws` (browsers cannot
//!   send headers on a websocket); kept in the database so any api replica accepts them.
//! - `created_by` on the rows people create, `outbox.actor` on the events they cause: the
//!   subject of the caller's token ("anonymous" when authentication is off).

use sea_orm_migration::prelude::*;

const UP: &str = r#"
CREATE TABLE api_token (
    id serial PRIMARY KEY,
    name varchar(200) NOT NULL,
    role varchar(16) NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    secret_hash bytea NOT NULL UNIQUE,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE TABLE ws_ticket (
    ticket_hash bytea PRIMARY KEY,
    subject text NOT NULL,
    role varchar(16) NOT NULL,
    expires_at timestamptz NOT NULL
);
ALTER TABLE algorithm ADD COLUMN created_by text;
ALTER TABLE dataset ADD COLUMN created_by text;
ALTER TABLE experiment ADD COLUMN created_by text;
ALTER TABLE job ADD COLUMN created_by text;
ALTER TABLE edge_information ADD COLUMN created_by text;
ALTER TABLE outbox ADD COLUMN actor text;
"#;

const DOWN: &str = r#"
ALTER TABLE outbox DROP COLUMN IF EXISTS actor;
ALTER TABLE edge_information DROP COLUMN IF EXISTS created_by;
ALTER TABLE job DROP COLUMN IF EXISTS created_by;
ALTER TABLE experiment DROP COLUMN IF EXISTS created_by;
ALTER TABLE dataset DROP COLUMN IF EXISTS created_by;
ALTER TABLE algorithm DROP COLUMN IF EXISTS created_by;
DROP TABLE IF EXISTS ws_ticket;
DROP TABLE IF EXISTS api_token;
"#;

sql_migration!("m20261204_000001_identity");
