//! The relational rows of one record, shared by the SQLite and PostgreSQL sinks so both
//! store exactly the same values: one column builder per table.
//!
//! Each column is named once, beside the [`RecordView`] field it reads; the sinks derive
//! their SQL (column lists, placeholders, `UNNEST` types, upsert clauses) and their
//! parameters from these lists, so adding a column is one line here plus a migration in
//! each dialect. Offsets are code points, as in the JSON records.

use std::borrow::Cow;

use article::{Article, ClusterView, EntityView, QuoteView, RecordView, SentenceView};

/// How a column is typed in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A 32-bit integer (`INTEGER` / `int4`).
    Int,
    /// A single-precision float (`REAL` / `float4`).
    Real,
    /// Text.
    Text,
    /// A JSON document, kept as text (`TEXT` in SQLite, `JSONB` in PostgreSQL).
    Json,
}

/// One value of one row; `None` is SQL `NULL`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// An integer column's value.
    Int(Option<i32>),
    /// A float column's value.
    Real(f32),
    /// A text or JSON column's value.
    Text(Option<Cow<'a, str>>),
}

impl<'a> Value<'a> {
    /// A non-null text value.
    fn text(s: &'a str) -> Self {
        Value::Text(Some(Cow::Borrowed(s)))
    }

    /// A nullable text value.
    fn opt_text(s: Option<&'a str>) -> Self {
        Value::Text(s.map(Cow::Borrowed))
    }

    /// A count or offset; the schema's 32-bit columns saturate rather than wrap.
    fn index(i: usize) -> Self {
        Value::Int(Some(i32::try_from(i).unwrap_or(i32::MAX)))
    }

    /// A nullable count or offset.
    fn opt_index(i: Option<usize>) -> Self {
        match i {
            Some(i) => Value::index(i),
            None => Value::Int(None),
        }
    }
}

/// One column: its name, its type, and how a row's value is read from the view item `T`.
pub struct Column<T> {
    /// The column's SQL name.
    pub name: &'static str,
    /// Its SQL type.
    pub kind: Kind,
    /// Reads the value from one row's item.
    pub value: fn(&T) -> Value<'_>,
}

/// One table: the article id column that keys it, then the columns read from each item.
pub struct Table<T> {
    /// The table's SQL name.
    pub name: &'static str,
    /// The column holding the article id (`id` in `articles`, `article_id` in the child
    /// tables); its value is the article's id, supplied by the sink, which also upserts or
    /// deletes by it.
    pub key: &'static str,
    /// The other columns, in SQL order.
    pub columns: Vec<Column<T>>,
}

impl<T> Table<T> {
    /// The values of one item's row, in column order (without the key).
    pub fn values<'a>(&'a self, item: &'a T) -> impl Iterator<Item = Value<'a>> + 'a {
        self.columns.iter().map(move |c| (c.value)(item))
    }
}

/// The key column of the child tables.
const ARTICLE_ID: &str = "article_id";

/// Shorthand for one table in the builders below.
fn table<T>(name: &'static str, key: &'static str, columns: Vec<Column<T>>) -> Table<T> {
    Table { name, key, columns }
}

/// Shorthand for one column in the builders below.
fn col<T>(name: &'static str, kind: Kind, value: fn(&T) -> Value<'_>) -> Column<T> {
    Column { name, kind, value }
}

/// Every table of the schema, as column builders over the view of one record. Built per
/// batch (five small vectors), because the item types borrow the batch's documents.
pub struct Tables<'d> {
    /// `articles`: one row per record, read from the record view itself.
    pub articles: Table<RecordView<'d>>,
    /// `sentences`.
    pub sentences: Table<SentenceView>,
    /// `entities`.
    pub entities: Table<EntityView<'d>>,
    /// `clusters`.
    pub clusters: Table<ClusterView<'d>>,
    /// `quotes`.
    pub quotes: Table<QuoteView<'d>>,
}

/// The tables whose rows belong to one article and are replaced with it, in the order the
/// sinks write them.
pub const CHILD_TABLES: [&str; 4] = ["sentences", "entities", "clusters", "quotes"];

impl Tables<'_> {
    /// The column builders.
    pub fn new() -> Self {
        use Kind::{Int, Json, Real, Text};
        Tables {
            articles: table(
                "articles",
                "id",
                vec![
                    col("title", Text, |v| {
                        Value::opt_text(v.article().title.as_deref())
                    }),
                    col("url", Text, |v| Value::opt_text(v.article().url.as_deref())),
                    col("published", Text, |v| {
                        Value::opt_text(v.article().published.as_deref())
                    }),
                    col("source", Text, |v| {
                        Value::opt_text(v.article().source.as_deref())
                    }),
                    col("text", Text, |v| Value::text(v.text())),
                    col("extra", Json, |v| {
                        Value::Text(Some(Cow::Owned(extra_json(v.article()))))
                    }),
                    col("lang", Text, |v| Value::opt_text(v.lang())),
                    col("ner_model", Text, |v| Value::opt_text(v.ner_model())),
                ],
            ),
            sentences: table(
                "sentences",
                ARTICLE_ID,
                vec![
                    col("idx", Int, |s| Value::index(s.index)),
                    col("start", Int, |s| Value::index(s.start)),
                    col("end", Int, |s| Value::index(s.end)),
                ],
            ),
            entities: table(
                "entities",
                ARTICLE_ID,
                vec![
                    col("idx", Int, |e| Value::index(e.index)),
                    col("start", Int, |e| Value::index(e.start)),
                    col("end", Int, |e| Value::index(e.end)),
                    col("text", Text, |e| Value::text(e.text)),
                    col("label", Text, |e| Value::text(e.label.as_str())),
                    col("score", Real, |e| Value::Real(e.score)),
                    col("sentence", Int, |e| Value::opt_index(e.sentence)),
                    // The cluster's id and canonical name beside each mention, so that
                    // counting entities by name needs no join.
                    col("cluster", Int, |e| Value::opt_index(e.cluster)),
                    col("canonical", Text, |e| Value::opt_text(e.canonical)),
                ],
            ),
            clusters: table(
                "clusters",
                ARTICLE_ID,
                vec![
                    col("idx", Int, |c| Value::index(c.index)),
                    col("label", Text, |c| Value::text(c.label.as_str())),
                    col("canonical", Text, |c| Value::text(c.canonical)),
                    col("salience", Real, |c| Value::Real(c.salience)),
                    col("mentions", Int, |c| Value::index(c.mentions.len())),
                ],
            ),
            quotes: table(
                "quotes",
                ARTICLE_ID,
                vec![
                    col("idx", Int, |q| Value::index(q.index)),
                    col("start", Int, |q| Value::index(q.start)),
                    col("end", Int, |q| Value::index(q.end)),
                    col("text", Text, |q| Value::text(q.text)),
                    col("speaker", Text, |q| Value::opt_text(q.speaker)),
                    col("speaker_cluster", Int, |q| {
                        Value::opt_index(q.speaker_cluster)
                    }),
                    col("speaker_canonical", Text, |q| {
                        Value::opt_text(q.speaker_canonical)
                    }),
                    col("cue", Text, |q| Value::opt_text(q.cue)),
                ],
            ),
        }
    }
}

impl Default for Tables<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// The carried-through input fields as a JSON object string.
fn extra_json(article: &Article) -> String {
    serde_json::Value::Object(article.extra.clone()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use article::{Analysis, Article, Cluster, Document, Entity, Label, Quote, Sentence, Span};
    use serde_json::Value;

    /// A record whose text has two- to four-byte characters before every span.
    fn multibyte_doc() -> Document {
        let line = r#"{"id":"m","title":"Zürich talks","body":"“Ça va très bien,” said Genève’s mayor 😀. Then Zürich voted."}"#;
        let article = Article::from_json(line).unwrap();
        let text = article.text();
        let find = |needle: &str| {
            let start = text.find(needle).unwrap();
            Span::new(start, start + needle.len())
        };
        let first_end = find("😀.").end;
        let analysis = Analysis {
            sentences: vec![
                Sentence {
                    span: find("Zürich talks"),
                    tokens: 0..0,
                },
                Sentence {
                    span: Span::new(find("“Ça").start, first_end),
                    tokens: 0..0,
                },
                Sentence {
                    span: find("Then Zürich voted."),
                    tokens: 0..0,
                },
            ],
            tokens: vec![],
            entities: vec![
                Entity {
                    span: find("Zürich"),
                    label: Label::Loc,
                    score: 0.9,
                },
                Entity {
                    span: find("Genève"),
                    label: Label::Loc,
                    score: 0.8,
                },
                Entity {
                    span: Span::new(
                        text.rfind("Zürich").unwrap(),
                        text.rfind("Zürich").unwrap() + "Zürich".len(),
                    ),
                    label: Label::Loc,
                    score: 0.7,
                },
            ],
            clusters: vec![
                Cluster {
                    label: Label::Loc,
                    canonical: "Zürich".into(),
                    mentions: vec![0, 2],
                    salience: 1.0,
                },
                Cluster {
                    label: Label::Loc,
                    canonical: "Genève".into(),
                    mentions: vec![1],
                    salience: 0.5,
                },
            ],
            quotes: vec![Quote {
                span: find("Ça va très bien,"),
                speaker: Some(find("Genève’s mayor")),
                speaker_cluster: Some(1),
                cue: Some(find("said")),
            }],
        };
        Document {
            article,
            text,
            analysis,
            lang: Some("fr"),
            ner_model: Some("en-conll2003"),
            ..Document::default()
        }
    }

    /// `text[start:end]` in code points, as a Python or SQL reader slices.
    fn chars(text: &str, start: &Value, end: &Value) -> String {
        let (start, end) = (start.as_u64().unwrap(), end.as_u64().unwrap());
        text.chars()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect()
    }

    /// The rows a table builds from `items`, as JSON objects keyed by column name, so they
    /// compare with the JSON record's fields.
    fn sql_rows<T>(table: &Table<T>, items: impl Iterator<Item = T>) -> Vec<Value> {
        items
            .map(|item| {
                let row = table.columns.iter().zip(table.values(&item)).map(|(c, v)| {
                    let v = match v {
                        super::Value::Int(n) => n.map_or(Value::Null, Value::from),
                        super::Value::Real(x) => Value::from(f64::from(x)),
                        super::Value::Text(s) => s.map_or(Value::Null, |s| Value::from(&*s)),
                    };
                    (c.name.to_string(), v)
                });
                Value::Object(row.collect())
            })
            .collect()
    }

    #[test]
    fn json_and_sql_rows_agree_on_multibyte_offsets() {
        let doc = multibyte_doc();
        let json: Value = serde_json::from_str(&doc.to_json()).unwrap();
        let view = RecordView::new(&doc);
        let tables = Tables::new();
        let same = |rows: &[Value], items: &Value, keys: &[&str]| {
            let items = items.as_array().unwrap();
            assert_eq!(rows.len(), items.len());
            for (row, item) in rows.iter().zip(items) {
                for key in keys {
                    assert_eq!(row[key], item[key], "{key} of {row}");
                }
            }
        };

        let sentences = sql_rows(&tables.sentences, view.sentences());
        assert_eq!(sentences.len(), 3);
        same(&sentences, &json["sentences"], &["start", "end"]);
        assert_eq!(
            chars(&doc.text, &sentences[2]["start"], &sentences[2]["end"]),
            "Then Zürich voted."
        );

        let entities = sql_rows(&tables.entities, view.entities());
        assert_eq!(entities.len(), 3);
        let keys = [
            "start",
            "end",
            "text",
            "label",
            "sentence",
            "cluster",
            "canonical",
        ];
        same(&entities, &json["entities"], &keys);
        for e in &entities {
            assert_eq!(chars(&doc.text, &e["start"], &e["end"]), e["text"]);
        }
        let sentence_of: Vec<_> = entities.iter().map(|e| e["sentence"].clone()).collect();
        assert_eq!(sentence_of, [0, 1, 2]);
        assert_eq!(entities[2]["canonical"], "Zürich");

        let quotes = sql_rows(&tables.quotes, view.quotes());
        let keys = ["start", "end", "text", "speaker", "speaker_cluster"];
        same(&quotes, &json["quotes"], &keys);
        same(&quotes, &json["quotes"], &["speaker_canonical", "cue"]);
        let q = &quotes[0];
        assert_eq!(chars(&doc.text, &q["start"], &q["end"]), "Ça va très bien,");
        assert_eq!(q["speaker_canonical"], "Genève");

        let clusters = sql_rows(&tables.clusters, view.clusters());
        same(&clusters, &json["clusters"], &["label", "canonical"]);
        for (row, j) in clusters.iter().zip(json["clusters"].as_array().unwrap()) {
            assert_eq!(row["idx"], j["id"]);
            assert_eq!(row["mentions"], j["mentions"].as_array().unwrap().len());
        }

        let articles = sql_rows(&tables.articles, std::iter::once(view));
        for key in ["title", "text", "lang", "ner_model"] {
            assert_eq!(articles[0][key], json[key], "{key}");
        }
    }
}
