//! CSV files that become tables: the way a user without database access brings data in
//! (`POST /api/datasets/upload`) and the way generators deliver datasets.
//!
//! The file is parsed once, on a blocking thread, while its records stream into `COPY … FROM
//! STDIN` on the caller's transaction; column types (bigint, double precision, boolean, text) are
//! inferred in the same pass and applied with one `ALTER TABLE` at the end. Nothing is held in
//! memory but one chunk, and a bad file rolls back with the caller's transaction.

use std::io::Read;

use bytes::{Bytes, BytesMut};
use sqlx::{AssertSqlSafe, postgres::PgConnection};
use tokio::sync::mpsc;

use super::csv::write_field;
use migration::DATA_SCHEMA;

/// Postgres truncates longer identifiers, which would silently rename the column.
const MAX_COLUMN_NAME_BYTES: usize = 63;
const CHUNK: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file is not a usable CSV; the text says why.
    #[error("Invalid format: {0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The table a CSV file was loaded into.
#[derive(Debug, Clone)]
pub struct LoadedTable {
    /// Schema-qualified, quoted name, e.g. `causeway_data."upload_4f…"`.
    pub qualified_name: String,
    /// `SELECT * FROM <qualified_name>`: the dataset's load query.
    pub load_query: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Inferred {
    BigInt,
    Double,
    Boolean,
    Text,
}

/// What values of one column could all be, so far.
#[derive(Debug, Clone, Copy)]
struct ColumnGuess {
    int: bool,
    float: bool,
    boolean: bool,
    seen: bool,
}

impl ColumnGuess {
    fn new() -> Self {
        ColumnGuess { int: true, float: true, boolean: true, seen: false }
    }

    fn observe(&mut self, value: &str) {
        if value.is_empty() {
            return; // NULL
        }
        self.seen = true;
        if self.int && value.parse::<i64>().is_err() {
            self.int = false;
        }
        if self.float && !is_postgres_float(value) {
            self.float = false;
        }
        if self.boolean && !matches!(value.to_ascii_lowercase().as_str(), "true" | "false") {
            self.boolean = false;
        }
    }

    fn result(self) -> Inferred {
        match self {
            ColumnGuess { seen: false, .. } => Inferred::Text,
            ColumnGuess { int: true, .. } => Inferred::BigInt,
            ColumnGuess { float: true, .. } => Inferred::Double,
            ColumnGuess { boolean: true, .. } => Inferred::Boolean,
            _ => Inferred::Text,
        }
    }
}

/// A float Postgres' `float8in` accepts too (Rust's parser knows a few spellings it does not).
fn is_postgres_float(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let special = matches!(lower.trim_start_matches(['+', '-']), "nan" | "inf" | "infinity");
    special || (value.parse::<f64>().is_ok() && !lower.contains("inf") && !lower.contains("nan"))
}

enum Message {
    Header(Vec<String>),
    Chunk(Bytes),
    Done(Vec<Inferred>),
    Failed(String),
}

/// A table-name prefix from a dataset name: lower-case letters, digits and `_`.
pub fn table_prefix(name: &str) -> String {
    let mut prefix: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .take(24)
        .collect();
    if prefix.trim_matches('_').is_empty() {
        prefix = "upload".into();
    }
    prefix
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Loads a CSV file with a header row into a new table of the data schema, on `conn` (which must
/// be inside the caller's transaction).
pub async fn load_csv(
    conn: &mut PgConnection,
    file: impl Read + Send + 'static,
    name_prefix: &str,
) -> Result<LoadedTable, UploadError> {
    let table = format!("{}_{}", table_prefix(name_prefix), uuid::Uuid::new_v4().simple());
    let qualified_name = format!("{DATA_SCHEMA}.{}", quote_ident(&table));
    let (sender, mut receiver) = mpsc::channel::<Message>(4);
    let parser = tokio::task::spawn_blocking(move || parse_csv(file, &sender));

    let header = match receiver.recv().await {
        Some(Message::Header(header)) => header,
        Some(Message::Failed(reason)) => return Err(UploadError::Invalid(reason)),
        _ => return Err(UploadError::Invalid("the file could not be read".into())),
    };
    let columns = header.iter().map(|c| format!("{} text", quote_ident(c))).collect::<Vec<_>>();
    sqlx::query(AssertSqlSafe(format!("CREATE TABLE {qualified_name} ({})", columns.join(", "))))
        .execute(&mut *conn)
        .await?;

    let mut copy = conn.copy_in_raw(&format!("COPY {qualified_name} FROM STDIN WITH (FORMAT csv)")).await?;
    let types = loop {
        match receiver.recv().await {
            Some(Message::Chunk(chunk)) => {
                if let Err(err) = copy.send(chunk).await {
                    drop(receiver);
                    let _ = copy.abort("upload failed").await;
                    return Err(err.into());
                }
            }
            Some(Message::Done(types)) => break types,
            Some(Message::Failed(reason)) => {
                let _ = copy.abort("invalid CSV").await;
                return Err(UploadError::Invalid(reason));
            }
            Some(Message::Header(_)) | None => {
                let _ = copy.abort("parser stopped").await;
                return Err(UploadError::Invalid("the file could not be read".into()));
            }
        }
    };
    copy.finish().await?;
    let _ = parser.await;

    let alterations: Vec<String> = header
        .iter()
        .zip(&types)
        .filter_map(|(name, inferred)| {
            let sql_type = match inferred {
                Inferred::BigInt => "bigint",
                Inferred::Double => "double precision",
                Inferred::Boolean => "boolean",
                Inferred::Text => return None,
            };
            let column = quote_ident(name);
            Some(format!("ALTER COLUMN {column} TYPE {sql_type} USING {column}::{sql_type}"))
        })
        .collect();
    if !alterations.is_empty() {
        sqlx::query(AssertSqlSafe(format!("ALTER TABLE {qualified_name} {}", alterations.join(", "))))
            .execute(&mut *conn)
            .await?;
    }
    Ok(LoadedTable { load_query: format!("SELECT * FROM {qualified_name}"), qualified_name })
}

/// The blocking half: parse, infer, re-serialise in chunks. Every problem is reported as
/// `Message::Failed` with the line it was found on.
fn parse_csv(file: impl Read, sender: &mpsc::Sender<Message>) {
    let fail = |reason: String| {
        let _ = sender.blocking_send(Message::Failed(reason));
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(file);
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(err) => return fail(csv_error_text(&err)),
    };
    let header = match column_names(&header) {
        Ok(header) => header,
        Err(reason) => return fail(reason),
    };
    let width = header.len();
    if sender.blocking_send(Message::Header(header)).is_err() {
        return;
    }
    let mut guesses = vec![ColumnGuess::new(); width];
    let mut buffer = BytesMut::with_capacity(CHUNK + 4096);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => return fail(csv_error_text(&err)),
        }
        for (i, value) in record.iter().enumerate() {
            if i > 0 {
                buffer.extend_from_slice(b",");
            }
            guesses[i].observe(value);
            // An empty field stays unquoted so COPY reads it as NULL.
            if !value.is_empty() {
                write_field(&mut buffer, value);
            }
        }
        buffer.extend_from_slice(b"\n");
        if buffer.len() >= CHUNK && sender.blocking_send(Message::Chunk(buffer.split().freeze())).is_err() {
            return;
        }
    }
    if !buffer.is_empty() && sender.blocking_send(Message::Chunk(buffer.split().freeze())).is_err() {
        return;
    }
    let _ = sender.blocking_send(Message::Done(guesses.into_iter().map(ColumnGuess::result).collect()));
}

fn csv_error_text(err: &csv::Error) -> String {
    match err.kind() {
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => format!(
            "line {} has {len} fields, but the header has {expected_len}",
            pos.as_ref().map(|p| p.line()).unwrap_or_default()
        ),
        csv::ErrorKind::Utf8 { pos, .. } => {
            format!("line {} is not valid UTF-8", pos.as_ref().map(|p| p.line()).unwrap_or_default())
        }
        _ => err.to_string(),
    }
}

/// Header names as columns: a leading byte-order mark dropped, empty names called
/// `Unnamed: <i>` (as pandas does), duplicates and over-long names refused.
fn column_names(header: &csv::StringRecord) -> Result<Vec<String>, String> {
    if header.is_empty() || (header.len() == 1 && header[0].trim().is_empty()) {
        return Err("the file is empty; the first line must name the columns".into());
    }
    let mut names: Vec<String> = Vec::with_capacity(header.len());
    for (i, raw) in header.iter().enumerate() {
        let raw = if i == 0 { raw.trim_start_matches('\u{feff}') } else { raw };
        let name = if raw.is_empty() { format!("Unnamed: {i}") } else { raw.to_owned() };
        if name.len() > MAX_COLUMN_NAME_BYTES {
            return Err(format!("column name \"{name}\" is longer than {MAX_COLUMN_NAME_BYTES} bytes"));
        }
        if names.contains(&name) {
            return Err(format!("column name \"{name}\" appears twice in the header"));
        }
        names.push(name);
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(values: &[&str]) -> Inferred {
        let mut guess = ColumnGuess::new();
        values.iter().for_each(|v| guess.observe(v));
        guess.result()
    }

    #[test]
    fn column_types_are_inferred_from_every_value() {
        assert_eq!(infer(&["1", "-2", ""]), Inferred::BigInt);
        assert_eq!(infer(&["1", "2.5"]), Inferred::Double);
        assert_eq!(infer(&["1e-3", "NaN", "-inf"]), Inferred::Double);
        assert_eq!(infer(&["True", "false"]), Inferred::Boolean);
        assert_eq!(infer(&["1", "x"]), Inferred::Text);
        assert_eq!(infer(&["", ""]), Inferred::Text);
        assert_eq!(infer(&["infinite"]), Inferred::Text);
    }

    #[test]
    fn header_names_follow_pandas_and_refuse_duplicates() {
        let header = csv::StringRecord::from(vec!["\u{feff}a", "", "c"]);
        assert_eq!(column_names(&header).unwrap(), ["a", "Unnamed: 1", "c"]);
        let header = csv::StringRecord::from(vec!["a", "a"]);
        assert!(column_names(&header).unwrap_err().contains("twice"));
        let header = csv::StringRecord::from(vec!["x".repeat(64)]);
        assert!(column_names(&header).is_err());
    }

    #[test]
    fn table_prefixes_are_safe_identifiers() {
        assert_eq!(table_prefix("My Data-Set"), "my_data_set");
        assert_eq!(table_prefix("!!!"), "upload");
    }
}
