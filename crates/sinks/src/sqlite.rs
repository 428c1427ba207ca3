//! The relational schema in an SQLite file.
//!
//! Tables: `articles` (one row per article id, upserted), `sentences`, `entities`,
//! `clusters` and `quotes` (rows replaced with their article), plus `schema_migrations`. Offsets are code points, like the
//! JSON records, so SQL `substr(text, start + 1, end - start)` returns the entity text.

use std::path::PathBuf;

use article::RecordView;
use pipeline::{Batch, Sink};
use rusqlite::types::{Null, ToSqlOutput};
use rusqlite::{params_from_iter, CachedStatement, Connection, ToSql};

use crate::rows::{Table, Tables, Value, CHILD_TABLES};
use crate::SinkError;

/// Schema versions, applied in order inside one transaction each; the applied versions are
/// recorded in `schema_migrations` so that an existing database is upgraded, never rebuilt.
/// Keep them in step with `postgres.rs`: the same schema in the other dialect.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        r#"
CREATE TABLE articles (
    id          TEXT PRIMARY KEY,
    title       TEXT,
    url         TEXT,
    published   TEXT,
    source      TEXT,
    text        TEXT NOT NULL,
    extra       TEXT NOT NULL DEFAULT '{}',
    processed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE sentences (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE TABLE entities (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    text        TEXT NOT NULL,
    label       TEXT NOT NULL,
    score       REAL NOT NULL,
    sentence    INTEGER,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX entities_by_text ON entities (text, label);
CREATE INDEX entities_by_label ON entities (label, text);
CREATE INDEX articles_by_published ON articles (published);
"#,
    ),
    (
        2,
        r#"
ALTER TABLE entities ADD COLUMN cluster INTEGER;
ALTER TABLE entities ADD COLUMN canonical TEXT;
CREATE INDEX entities_by_canonical ON entities (canonical, label);
CREATE TABLE clusters (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    label       TEXT NOT NULL,
    canonical   TEXT NOT NULL,
    salience    REAL NOT NULL,
    mentions    INTEGER NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX clusters_by_canonical ON clusters (canonical, label);
CREATE TABLE quotes (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    text        TEXT NOT NULL,
    speaker     TEXT,
    speaker_cluster INTEGER,
    speaker_canonical TEXT,
    cue         TEXT,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX quotes_by_speaker ON quotes (speaker_canonical);
"#,
    ),
    (
        3,
        r#"
ALTER TABLE articles ADD COLUMN lang TEXT;
ALTER TABLE articles ADD COLUMN ner_model TEXT;
CREATE INDEX articles_by_lang ON articles (lang);
"#,
    ),
];

/// Writes records into an SQLite database, one transaction per batch.
#[derive(Debug)]
pub struct SqliteSink {
    /// The database path, for messages.
    path: PathBuf,
    /// The connection; taken while a batch is written on a blocking thread.
    conn: Option<Connection>,
}

impl SqliteSink {
    /// Opens (or creates) the database and brings its schema up to date.
    pub async fn open(path: PathBuf) -> Result<Self, SinkError> {
        let p = path.clone();
        let conn = tokio::task::spawn_blocking(move || open_blocking(&p))
            .await
            .map_err(|_| SinkError::Internal(format!("sqlite:{}", path.display())))?
            .map_err(|source| SinkError::Sqlite {
                path: path.display().to_string(),
                source,
            })?;
        Ok(Self {
            path,
            conn: Some(conn),
        })
    }

    fn error(&self, source: rusqlite::Error) -> SinkError {
        SinkError::Sqlite {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// Runs `f` on the connection on a blocking thread, so SQLite never stalls the reactor.
    async fn with_conn<T: Send + 'static>(
        &mut self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, SinkError> {
        let mut conn = self
            .conn
            .take()
            .ok_or_else(|| SinkError::Internal(self.name()))?;
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let result = f(&mut conn);
            (conn, result)
        })
        .await
        .map_err(|_| SinkError::Internal(self.name()))?;
        self.conn = Some(conn);
        result.map_err(|e| self.error(e))
    }
}

fn open_blocking(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open(path)?;
    // WAL lets readers query while newsflow writes; NORMAL sync is durable at each commit
    // of the WAL under power loss only up to the last checkpoint, the usual trade-off.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
    )?;
    for (version, sql) in MIGRATIONS {
        let tx = conn.transaction()?;
        let applied: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |row| row.get(0),
        )?;
        if !applied {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                [version],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// Column names as SQL identifiers (quoted: `end` is a keyword).
fn quoted<T>(table: &Table<T>) -> impl Iterator<Item = String> + '_ {
    std::iter::once(table.key)
        .chain(table.columns.iter().map(|c| c.name))
        .map(|name| format!("\"{name}\""))
}

/// `INSERT INTO table (key, columns...) VALUES (?1, ...)`.
fn insert_sql<T>(table: &Table<T>) -> String {
    let names: Vec<String> = quoted(table).collect();
    let params: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table.name,
        names.join(", "),
        params.join(", ")
    )
}

/// The articles upsert: every column but the key is replaced, and `processed_at` renewed.
fn upsert_sql<T>(table: &Table<T>) -> String {
    let set: Vec<String> = quoted(table)
        .skip(1)
        .chain(std::iter::once("processed_at".to_string()))
        .map(|name| format!("{name} = excluded.{name}"))
        .collect();
    format!(
        "{} ON CONFLICT (\"{}\") DO UPDATE SET {}",
        insert_sql(table),
        table.key,
        set.join(", ")
    )
}

/// Binds a value as SQLite stores it: JSON as text, floats widened to SQLite's REAL.
impl ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Int(Some(n)) => ToSqlOutput::from(*n),
            Value::Real(x) => ToSqlOutput::from(f64::from(*x)),
            Value::Text(Some(s)) => ToSqlOutput::from(s.as_ref()),
            Value::Int(None) | Value::Text(None) => ToSqlOutput::from(Null),
        })
    }
}

/// Inserts one row of `table` for article `id` with the prepared `statement`.
fn insert<T>(
    statement: &mut CachedStatement<'_>,
    table: &Table<T>,
    id: &str,
    item: &T,
) -> rusqlite::Result<()> {
    let values = std::iter::once(Value::Text(Some(id.into()))).chain(table.values(item));
    statement.execute(params_from_iter(values)).map(|_| ())
}

/// Upserts every record of the batch in one transaction.
fn write_batch(conn: &mut Connection, batch: &Batch) -> rusqlite::Result<()> {
    let t = Tables::new();
    let tx = conn.transaction()?;
    {
        let mut upsert = tx.prepare_cached(&upsert_sql(&t.articles))?;
        let mut clear: Vec<_> = CHILD_TABLES
            .iter()
            .map(|table| tx.prepare_cached(&format!("DELETE FROM {table} WHERE article_id = ?1")))
            .collect::<Result<_, _>>()?;
        let mut sentence = tx.prepare_cached(&insert_sql(&t.sentences))?;
        let mut entity = tx.prepare_cached(&insert_sql(&t.entities))?;
        let mut cluster = tx.prepare_cached(&insert_sql(&t.clusters))?;
        let mut quote = tx.prepare_cached(&insert_sql(&t.quotes))?;
        for record in batch.iter() {
            let view = RecordView::new(&record.doc);
            let id = view.article().id.as_str();
            insert(&mut upsert, &t.articles, id, &view)?;
            for statement in clear.iter_mut() {
                statement.execute([id])?;
            }
            for s in view.sentences() {
                insert(&mut sentence, &t.sentences, id, &s)?;
            }
            for e in view.entities() {
                insert(&mut entity, &t.entities, id, &e)?;
            }
            for c in view.clusters() {
                insert(&mut cluster, &t.clusters, id, &c)?;
            }
            for q in view.quotes() {
                insert(&mut quote, &t.quotes, id, &q)?;
            }
        }
    }
    tx.commit()
}

impl Sink for SqliteSink {
    type Error = SinkError;

    fn name(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    async fn write(&mut self, batch: Batch) -> Result<(), SinkError> {
        self.with_conn(move |conn| write_batch(conn, &batch)).await
    }

    async fn finish(mut self) -> Result<(), SinkError> {
        // Fold the WAL back into the main file so the database is one self-contained file.
        self.with_conn(|conn| conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)"))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database written by the first schema version gains the cluster columns and the
    /// new tables, and keeps its rows.
    #[test]
    fn version_one_database_is_migrated_in_place() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)",
        )
        .unwrap();
        conn.execute_batch(MIGRATIONS[0].1).unwrap();
        conn.execute_batch(
            "INSERT INTO schema_migrations (version) VALUES (1);
             INSERT INTO articles (id, text) VALUES ('a', 'Lavrov spoke.');
             INSERT INTO entities (article_id, idx, start, \"end\", text, label, score)
             VALUES ('a', 0, 0, 6, 'Lavrov', 'PER', 0.9);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap(); // idempotent
        let versions: i64 = conn
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(versions as usize, MIGRATIONS.len());
        let canonical: Option<String> = conn
            .query_row("SELECT canonical FROM entities", [], |r| r.get(0))
            .unwrap();
        assert_eq!(canonical, None);
        for table in ["clusters", "quotes"] {
            let n: i64 = conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 0);
        }
    }

    /// A database made before the language columns (schema version 2, as the binary
    /// before migration 3 left it) gains `lang` and `ner_model`, keeps its rows, and then
    /// stores both fields.
    #[test]
    fn version_two_database_gains_the_language_columns() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)",
        )
        .unwrap();
        for (version, sql) in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
            conn.execute(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                [version],
            )
            .unwrap();
        }
        conn.execute_batch("INSERT INTO articles (id, text) VALUES ('old', 'Lavrov spoke.')")
            .unwrap();
        migrate(&mut conn).unwrap();
        let old: (Option<String>, Option<String>) = conn
            .query_row(
                "SELECT lang, ner_model FROM articles WHERE id = 'old'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(old, (None, None));

        let line = r#"{"id":"new","body":"Der Minister sprach am Montag in Berlin."}"#;
        let doc = article::Document {
            article: article::Article::from_json(line).unwrap(),
            text: "Der Minister sprach am Montag in Berlin.".into(),
            lang: Some("de"),
            ..article::Document::default()
        };
        let record = pipeline::Record {
            json: doc.to_json(),
            doc,
        };
        let batch = Batch::new(vec![record], 1, Vec::new());
        write_batch(&mut conn, &batch).unwrap();
        let new: (Option<String>, Option<String>) = conn
            .query_row(
                "SELECT lang, ner_model FROM articles WHERE id = 'new'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(new, (Some("de".into()), None));
    }
}
