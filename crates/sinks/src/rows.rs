//! The relational rows of one record, shared by the SQLite and PostgreSQL sinks so both
//! store exactly the same values. Offsets are code points, as in the JSON records.

use article::{Document, RecordView};

/// One row of the `sentences` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceRow {
    /// Position of the sentence in its article, from 0.
    pub idx: i32,
    /// First code point.
    pub start: i32,
    /// One past the last code point.
    pub end: i32,
}

/// One row of the `entities` table.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRow<'d> {
    /// Position of the entity in its article, from 0.
    pub idx: i32,
    /// First code point.
    pub start: i32,
    /// One past the last code point.
    pub end: i32,
    /// The entity's text.
    pub text: &'d str,
    /// Its label (`PER`, `ORG`, ...).
    pub label: &'d str,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    /// Index of the sentence containing it.
    pub sentence: Option<i32>,
    /// Index of its cluster in the article.
    pub cluster: Option<i32>,
    /// Its cluster's canonical name, stored beside each mention so that counting entities
    /// by name needs no join.
    pub canonical: Option<&'d str>,
}

/// One row of the `clusters` table.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterRow<'d> {
    /// Position of the cluster in its article (order of first mention), from 0.
    pub idx: i32,
    /// The entity's label.
    pub label: &'d str,
    /// Its fullest name in the article.
    pub canonical: &'d str,
    /// Salience in `[0, 1]`.
    pub salience: f32,
    /// Number of mentions.
    pub mentions: i32,
}

/// One row of the `quotes` table.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteRow<'d> {
    /// Position of the quote in its article, from 0.
    pub idx: i32,
    /// First code point of the quoted words.
    pub start: i32,
    /// One past the last code point.
    pub end: i32,
    /// The quoted words.
    pub text: &'d str,
    /// The speaker as the article names them there ("Lavrov", "he").
    pub speaker: Option<&'d str>,
    /// The speaker's cluster in the article.
    pub speaker_cluster: Option<i32>,
    /// The speaker cluster's canonical name.
    pub speaker_canonical: Option<&'d str>,
    /// The speech verb.
    pub cue: Option<&'d str>,
}

/// Every child row of one article.
#[derive(Debug, Clone, Default)]
pub struct Rows<'d> {
    /// The `sentences` rows.
    pub sentences: Vec<SentenceRow>,
    /// The `entities` rows.
    pub entities: Vec<EntityRow<'d>>,
    /// The `clusters` rows.
    pub clusters: Vec<ClusterRow<'d>>,
    /// The `quotes` rows.
    pub quotes: Vec<QuoteRow<'d>>,
}

/// The child rows of a document, read from its [`RecordView`] like the JSON record.
pub fn rows(doc: &Document) -> Rows<'_> {
    let view = RecordView::new(doc);
    let index = |i: usize| i32::try_from(i).unwrap_or(i32::MAX);
    Rows {
        sentences: view
            .sentences()
            .map(|s| SentenceRow {
                idx: index(s.index),
                start: index(s.start),
                end: index(s.end),
            })
            .collect(),
        entities: view
            .entities()
            .map(|e| EntityRow {
                idx: index(e.index),
                start: index(e.start),
                end: index(e.end),
                text: e.text,
                label: e.label.as_str(),
                score: e.score,
                sentence: e.sentence.map(index),
                cluster: e.cluster.map(index),
                canonical: e.canonical,
            })
            .collect(),
        clusters: view
            .clusters()
            .map(|c| ClusterRow {
                idx: index(c.index),
                label: c.label.as_str(),
                canonical: c.canonical,
                salience: c.salience,
                mentions: index(c.mentions.len()),
            })
            .collect(),
        quotes: view
            .quotes()
            .map(|q| QuoteRow {
                idx: index(q.index),
                start: index(q.start),
                end: index(q.end),
                text: q.text,
                speaker: q.speaker,
                speaker_cluster: q.speaker_cluster.map(index),
                speaker_canonical: q.speaker_canonical,
                cue: q.cue,
            })
            .collect(),
    }
}

/// The carried-through input fields as a JSON object string.
pub fn extra_json(doc: &Document) -> String {
    serde_json::Value::Object(doc.article.extra.clone()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use article::{Analysis, Article, Cluster, Entity, Label, Quote, Sentence, Span};
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
            ..Document::default()
        }
    }

    /// `text[start:end]` in code points, as a Python or SQL reader slices.
    fn chars(text: &str, start: i32, end: i32) -> String {
        text.chars()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect()
    }

    #[test]
    fn json_and_sql_rows_agree_on_multibyte_offsets() {
        let doc = multibyte_doc();
        let json: Value = serde_json::from_str(&doc.to_json()).unwrap();
        let rows = rows(&doc);
        let int = |v: &Value| v.as_i64().map(|n| n as i32);

        assert_eq!(rows.sentences.len(), 3);
        for (row, j) in rows
            .sentences
            .iter()
            .zip(json["sentences"].as_array().unwrap())
        {
            assert_eq!(
                (Some(row.start), Some(row.end)),
                (int(&j["start"]), int(&j["end"]))
            );
        }
        assert_eq!(
            chars(&doc.text, rows.sentences[2].start, rows.sentences[2].end),
            "Then Zürich voted."
        );

        assert_eq!(rows.entities.len(), 3);
        for (row, j) in rows
            .entities
            .iter()
            .zip(json["entities"].as_array().unwrap())
        {
            assert_eq!(
                (Some(row.start), Some(row.end)),
                (int(&j["start"]), int(&j["end"]))
            );
            assert_eq!(chars(&doc.text, row.start, row.end), row.text);
            assert_eq!(j["text"], row.text);
            assert_eq!(int(&j["sentence"]), row.sentence);
            assert_eq!(int(&j["cluster"]), row.cluster);
            assert_eq!(j["canonical"].as_str(), row.canonical);
        }
        assert_eq!(
            rows.entities.iter().map(|e| e.sentence).collect::<Vec<_>>(),
            [Some(0), Some(1), Some(2)]
        );
        assert_eq!(rows.entities[2].canonical, Some("Zürich"));

        let (row, j) = (&rows.quotes[0], &json["quotes"][0]);
        assert_eq!(
            (Some(row.start), Some(row.end)),
            (int(&j["start"]), int(&j["end"]))
        );
        assert_eq!(chars(&doc.text, row.start, row.end), "Ça va très bien,");
        assert_eq!(j["speaker"].as_str(), row.speaker);
        assert_eq!(row.speaker_canonical, Some("Genève"));
        assert_eq!(j["speaker_canonical"].as_str(), row.speaker_canonical);
        assert_eq!(j["cue"].as_str(), row.cue);

        for (row, j) in rows
            .clusters
            .iter()
            .zip(json["clusters"].as_array().unwrap())
        {
            assert_eq!(int(&j["id"]), Some(row.idx));
            assert_eq!(j["canonical"], row.canonical);
            assert_eq!(
                j["mentions"].as_array().map(Vec::len),
                Some(row.mentions as usize)
            );
        }
    }
}
