//! Upload tokens are stored only as their SHA-256 (`job.upload_token_hash`, of the token's
//! hyphenated lower-case text): a database dump or a read-only role no longer hands out the
//! right to upload results. Existing tokens are hashed in place, so runs that are alive during
//! the upgrade keep working. Going down cannot restore the tokens: it leaves them empty.

use sea_orm_migration::prelude::*;

const UP: &str = r#"
ALTER TABLE job ADD COLUMN upload_token_hash bytea;
UPDATE job SET upload_token_hash = sha256(convert_to(upload_token::text, 'UTF8'))
    WHERE upload_token IS NOT NULL;
ALTER TABLE job DROP COLUMN upload_token;
CREATE INDEX job_upload_token_hash_idx ON job (upload_token_hash) WHERE upload_token_hash IS NOT NULL;
"#;

const DOWN: &str = r#"
DROP INDEX IF EXISTS job_upload_token_hash_idx;
ALTER TABLE job ADD COLUMN IF NOT EXISTS upload_token uuid;
ALTER TABLE job DROP COLUMN IF EXISTS upload_token_hash;
"#;

sql_migration!("m20261204_100002_upload_token_hash");
