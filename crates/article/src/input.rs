//! The input record: one article as users send it, in JSON.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Field names that hold the body, in order of preference (`text` and `content` are synonyms
/// that other tools write).
const BODY_FIELDS: [&str; 3] = ["body", "text", "content"];

/// Fields newsflow writes itself, so an input field of the same name cannot be carried through.
const RESERVED_OUTPUT_FIELDS: [&str; 5] = ["text", "sentences", "entities", "tokens", "ner_model"];

/// Where an input record came from, for error messages and dead letters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// The file name, `-` for stdin, or another source's name (a URL, a subject).
    pub source: Arc<str>,
    /// 1-based line or item number within the source.
    pub line: u64,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.source, self.line)
    }
}

/// Why an input record could not become an article. Each variant names what to fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArticleError {
    /// The line is not JSON.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// The JSON value is an array, string or number.
    #[error("expected a JSON object, found {0}")]
    NotAnObject(&'static str),
    /// Neither a body (`body`, `text`, `content`) nor a title.
    #[error("no text: the record has no non-empty \"body\", \"text\", \"content\" or \"title\"")]
    NoText,
    /// A known field holds the wrong JSON type.
    #[error("field \"{field}\" must be {expected}")]
    WrongType {
        /// The field's name.
        field: &'static str,
        /// What it must hold.
        expected: &'static str,
    },
}

/// One news article as it enters the pipeline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Article {
    /// Stable identifier: the input's `id`, or a hash of the content when it has none.
    pub id: String,
    /// Headline, if any.
    pub title: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
    /// Publication time as given (RFC 3339 when the source knows it).
    pub published: Option<String>,
    /// Publisher or feed name.
    pub source: Option<String>,
    /// The article body as given, never rewritten.
    pub body: String,
    /// The language its source declares (an input record's `lang`, a feed's `<language>`,
    /// a page's `<html lang>`), as given. Only a hint: the record's `lang` is detected from
    /// the text, and this decides only when the text is too short to tell.
    pub declared_lang: Option<String>,
    /// Input fields newsflow does not know, carried through to the output unchanged.
    pub extra: Map<String, Value>,
}

impl Article {
    /// Parses one JSON Lines record.
    pub fn from_json(line: &str) -> Result<Self, ArticleError> {
        let value: Value =
            serde_json::from_str(line).map_err(|e| ArticleError::InvalidJson(e.to_string()))?;
        Self::from_value(value)
    }

    /// Builds an article from a parsed JSON value.
    pub fn from_value(value: Value) -> Result<Self, ArticleError> {
        let mut map = match value {
            Value::Object(map) => map,
            Value::Array(_) => return Err(ArticleError::NotAnObject("an array")),
            Value::String(_) => return Err(ArticleError::NotAnObject("a string")),
            Value::Number(_) => return Err(ArticleError::NotAnObject("a number")),
            Value::Bool(_) => return Err(ArticleError::NotAnObject("a boolean")),
            Value::Null => return Err(ArticleError::NotAnObject("null")),
        };
        let id = match map.shift_remove("id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s),
            // Numeric ids are common in exported datasets; keep their exact text.
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                return Err(ArticleError::WrongType {
                    field: "id",
                    expected: "a string or number",
                })
            }
        };
        let title = take_string(&mut map, "title")?.filter(|t| !t.trim().is_empty());
        let url = take_string(&mut map, "url")?;
        let published = take_string(&mut map, "published")?;
        let source = take_string(&mut map, "source")?;
        let declared_lang = take_string(&mut map, "lang")?.filter(|l| !l.trim().is_empty());
        let mut body = None;
        for field in BODY_FIELDS {
            if body.is_none() {
                body = take_string(&mut map, field)?;
            } else if map
                .get(field)
                .is_some_and(|v| !v.is_string() && !v.is_null())
            {
                return Err(ArticleError::WrongType {
                    field,
                    expected: "a string",
                });
            }
        }
        let body = body.unwrap_or_default();
        if body.trim().is_empty() && title.is_none() {
            return Err(ArticleError::NoText);
        }
        for field in RESERVED_OUTPUT_FIELDS {
            // Synonyms of the body that lost to `body` would otherwise clash with the output's
            // `text`; dropping them is safe because they were read as the body candidates.
            map.shift_remove(field);
        }
        let mut article = Article {
            id: String::new(),
            title,
            url,
            published,
            source,
            body,
            declared_lang,
            extra: map,
        };
        article.id = id.unwrap_or_else(|| article.content_id());
        Ok(article)
    }

    /// The text newsflow analyses and offsets refer to: the body alone when there is no
    /// title (byte for byte), otherwise the title, a blank line, and the body.
    pub fn text(&self) -> String {
        match &self.title {
            None => self.body.clone(),
            Some(title) if self.body.is_empty() => title.clone(),
            Some(title) => {
                let mut text = String::with_capacity(title.len() + 2 + self.body.len());
                text.push_str(title);
                text.push_str("\n\n");
                text.push_str(&self.body);
                text
            }
        }
    }

    /// The article as an input record: `id`, `title`, `url`, `published`, `source`, the
    /// carried-through fields, then `body`. `from_json` reads it back to an equal article.
    pub fn to_json(&self) -> String {
        let mut map = Map::with_capacity(self.extra.len() + 6);
        map.insert("id".into(), Value::String(self.id.clone()));
        for (name, field) in [
            ("title", &self.title),
            ("url", &self.url),
            ("published", &self.published),
            ("source", &self.source),
            ("lang", &self.declared_lang),
        ] {
            if let Some(value) = field {
                map.insert(name.into(), Value::String(value.clone()));
            }
        }
        for (name, value) in &self.extra {
            map.insert(name.clone(), value.clone());
        }
        map.insert("body".into(), Value::String(self.body.clone()));
        Value::Object(map).to_string()
    }

    /// A stable id derived from the content: the first 128 bits of SHA-256 over the url,
    /// title and body, in hex. The same article always gets the same id, so re-runs upsert.
    pub fn content_id(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [
            self.url.as_deref(),
            self.title.as_deref(),
            Some(self.body.as_str()),
        ] {
            let part = part.unwrap_or("");
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn take_string(
    map: &mut Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, ArticleError> {
    match map.shift_remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ArticleError::WrongType {
            field,
            expected: "a string",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_synonyms_are_accepted() {
        for field in ["body", "text", "content"] {
            let a = Article::from_json(&format!(r#"{{"id":"a","{field}":"Hello."}}"#)).unwrap();
            assert_eq!(a.body, "Hello.");
            assert!(
                a.extra.is_empty(),
                "{field} leaked into extra: {:?}",
                a.extra
            );
        }
    }

    #[test]
    fn missing_id_is_stable_and_content_derived() {
        let a = Article::from_json(r#"{"title":"T","body":"B"}"#).unwrap();
        let b = Article::from_json(r#"{"body":"B","title":"T","x":1}"#).unwrap();
        let c = Article::from_json(r#"{"title":"T","body":"C"}"#).unwrap();
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
        assert_eq!(a.id.len(), 32);
    }

    #[test]
    fn unknown_fields_are_kept_in_order() {
        let a = Article::from_json(r#"{"id":1,"body":"B","z":[1],"a":{"k":"v"}}"#).unwrap();
        assert_eq!(a.id, "1");
        let keys: Vec<_> = a.extra.keys().cloned().collect();
        assert_eq!(keys, ["z", "a"]);
    }

    #[test]
    fn text_is_body_byte_for_byte_without_title() {
        let a = Article::from_json(r#"{"id":"x","body":"  A\r\nB  "}"#).unwrap();
        assert_eq!(a.text(), "  A\r\nB  ");
        let t = Article::from_json(r#"{"id":"x","title":"H","body":"B"}"#).unwrap();
        assert_eq!(t.text(), "H\n\nB");
    }

    #[test]
    fn to_json_round_trips() {
        let line = r#"{"title":"T","content":"B","url":"u","tags":[1],"author":"A"}"#;
        let a = Article::from_json(line).unwrap();
        assert_eq!(Article::from_json(&a.to_json()).unwrap(), a);
    }

    #[test]
    fn bad_records_say_what_is_wrong() {
        let cases: &[(&str, ArticleError)] = &[
            ("[1]", ArticleError::NotAnObject("an array")),
            (r#"{"id":"a"}"#, ArticleError::NoText),
            (r#"{"id":"a","body":"   "}"#, ArticleError::NoText),
            (
                r#"{"body":7}"#,
                ArticleError::WrongType {
                    field: "body",
                    expected: "a string",
                },
            ),
        ];
        for (line, want) in cases {
            assert_eq!(&Article::from_json(line).unwrap_err(), want, "{line}");
        }
        assert!(matches!(
            Article::from_json("{\"id\":"),
            Err(ArticleError::InvalidJson(_))
        ));
    }
}
