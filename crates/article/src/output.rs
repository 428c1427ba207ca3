//! The output record: one JSON object per article, the schema every sink shares, written
//! from the [`RecordView`] that the SQL and HTML outputs read too.

use serde_json::Value;

use crate::{Analysis, Article, Origin, RecordView};

/// An analysed article, ready for the sinks.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The input article.
    pub article: Article,
    /// The analysed text ([`Article::text`]); all spans refer to it.
    pub text: String,
    /// Sentences, tokens and entities of `text`.
    pub analysis: Analysis,
    /// The language of `text` (ISO 639-1), `None` when it is too short to tell.
    pub lang: Option<&'static str>,
    /// The entity model that tagged it (`"en-conll2003"`), `None` when none ran.
    pub ner_model: Option<&'static str>,
    /// Set by a stage that decides the article is not to be passed on (a language the run
    /// was not asked for): why. The runtime counts it as skipped, neither written nor a
    /// dead letter, and runs no further stage.
    pub skipped: Option<&'static str>,
}

impl Document {
    /// Renders the record as one line of JSON (no trailing newline) into `out`.
    ///
    /// Field order: `id`, `title`, `url`, `published`, `source`, `lang`, `ner_model`, the
    /// input's unknown fields,
    /// `text`, `sentences`, `entities`, `clusters`, `salience`, `quotes`. Offsets are code
    /// points, end-exclusive.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        RecordView::new(self).write_json(out);
    }

    /// The record as a JSON string.
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(self.text.len() * 2 + 256);
        self.write_json(&mut out);
        // Every piece written above is valid UTF-8 (serde_json escapes strings).
        String::from_utf8(out).unwrap_or_default()
    }
}

impl RecordView<'_> {
    /// Renders the record as one line of JSON (no trailing newline) into `out`; see
    /// [`Document::write_json`]. Written by hand rather than through serde: the fields are
    /// known, and building a `Value` per record would cost more than the rest of rendering.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let a = self.article();
        out.push(b'{');
        key(out, "id", true);
        string(out, &a.id);
        for (name, field) in [
            ("title", &a.title),
            ("url", &a.url),
            ("published", &a.published),
            ("source", &a.source),
        ] {
            key(out, name, false);
            optional_string(out, field.as_deref());
        }
        for (name, field) in [("lang", self.lang()), ("ner_model", self.ner_model())] {
            key(out, name, false);
            match field {
                Some(s) => string(out, s),
                None => out.extend_from_slice(b"null"),
            }
        }
        for (name, value) in &a.extra {
            key(out, name, false);
            value_json(out, value);
        }
        key(out, "text", false);
        string(out, self.text());

        key(out, "sentences", false);
        out.push(b'[');
        for s in self.sentences() {
            if s.index > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"start\":");
            number(out, s.start);
            out.extend_from_slice(b",\"end\":");
            number(out, s.end);
            out.push(b'}');
        }
        out.push(b']');

        key(out, "entities", false);
        out.push(b'[');
        for e in self.entities() {
            if e.index > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"start\":");
            number(out, e.start);
            out.extend_from_slice(b",\"end\":");
            number(out, e.end);
            out.extend_from_slice(b",\"text\":");
            string(out, e.text);
            out.extend_from_slice(b",\"label\":");
            string(out, e.label.as_str());
            out.extend_from_slice(b",\"score\":");
            decimal(out, e.score);
            out.extend_from_slice(b",\"sentence\":");
            optional_number(out, e.sentence);
            out.extend_from_slice(b",\"cluster\":");
            optional_number(out, e.cluster);
            out.extend_from_slice(b",\"canonical\":");
            optional_string(out, e.canonical);
            out.push(b'}');
        }
        out.push(b']');

        key(out, "clusters", false);
        out.push(b'[');
        for c in self.clusters() {
            if c.index > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"id\":");
            number(out, c.index);
            out.extend_from_slice(b",\"label\":");
            string(out, c.label.as_str());
            out.extend_from_slice(b",\"canonical\":");
            string(out, c.canonical);
            out.extend_from_slice(b",\"salience\":");
            decimal(out, c.salience);
            out.extend_from_slice(b",\"mentions\":[");
            for (j, m) in c.mentions.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                number(out, *m);
            }
            out.extend_from_slice(b"]}");
        }
        out.push(b']');

        key(out, "salience", false);
        out.push(b'[');
        for (i, c) in self.salience().into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            number(out, c);
        }
        out.push(b']');

        key(out, "quotes", false);
        out.push(b'[');
        for q in self.quotes() {
            if q.index > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"start\":");
            number(out, q.start);
            out.extend_from_slice(b",\"end\":");
            number(out, q.end);
            out.extend_from_slice(b",\"text\":");
            string(out, q.text);
            out.extend_from_slice(b",\"speaker\":");
            optional_string(out, q.speaker);
            out.extend_from_slice(b",\"speaker_cluster\":");
            optional_number(out, q.speaker_cluster);
            out.extend_from_slice(b",\"speaker_canonical\":");
            optional_string(out, q.speaker_canonical);
            out.extend_from_slice(b",\"cue\":");
            optional_string(out, q.cue);
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
    }
}

fn key(out: &mut Vec<u8>, name: &str, first: bool) {
    if !first {
        out.push(b',');
    }
    string(out, name);
    out.push(b':');
}

fn string(out: &mut Vec<u8>, s: &str) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn optional_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn value_json(out: &mut Vec<u8>, value: &Value) {
    let _ = serde_json::to_writer(&mut *out, value);
}

/// Writes `n` in decimal. Offsets are most of a record's numbers; `to_string` cost a heap
/// string and the formatting machinery per number (about 270 instructions, 3 % of `bench`).
fn number(out: &mut Vec<u8>, n: usize) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut n = n;
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[at..]);
}

fn optional_number(out: &mut Vec<u8>, n: Option<usize>) {
    match n {
        Some(n) => number(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

/// A score in `[0, 1]` with four decimals: more than a score means, and shorter records.
///
/// Written as the shortest decimal of `round(x · 10⁴) / 10⁴`, which is that whole number
/// of ten-thousandths without its trailing zeros (no shorter decimal reads back as the same
/// double), so the digits come from the integer: formatting the `f64` cost ~900
/// instructions a score. NaN and -0 keep the float's own rendering.
fn decimal(out: &mut Vec<u8>, x: f32) {
    let r = (f64::from(x.clamp(0.0, 1.0)) * 1e4).round();
    if !(r.is_sign_positive() && (0.0..=1e4).contains(&r)) {
        out.extend_from_slice((r / 1e4).to_string().as_bytes());
        return;
    }
    let k = r as usize;
    number(out, k / 10_000);
    let mut frac = k % 10_000;
    if frac == 0 {
        return;
    }
    let mut digits = 4;
    while frac.is_multiple_of(10) {
        frac /= 10;
        digits -= 1;
    }
    out.push(b'.');
    let mut buf = [b'0'; 4];
    for d in buf[..digits].iter_mut().rev() {
        *d = b'0' + (frac % 10) as u8;
        frac /= 10;
    }
    out.extend_from_slice(&buf[..digits]);
}

/// An input record that could not be processed, as written to the dead-letter file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// Where the record came from.
    pub origin: Origin,
    /// Why it was rejected, in words a user can act on.
    pub error: String,
    /// The raw record, as far as it could be read (lossy UTF-8).
    pub record: String,
}

impl DeadLetter {
    /// Renders the dead letter as one JSON line: `{"source","line","error","record"}`.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "source": &*self.origin.source,
            "line": self.origin.line,
            "error": self.error,
            "record": self.record,
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cluster, Entity, Label, Sentence, Span};
    use serde_json::json;

    #[test]
    fn numbers_and_scores_render_as_the_formatter_did() {
        let old_decimal = |x: f32| {
            let x = (f64::from(x.clamp(0.0, 1.0)) * 1e4).round() / 1e4;
            x.to_string()
        };
        let render = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut out = Vec::new();
            f(&mut out);
            String::from_utf8(out).unwrap()
        };
        for n in (0..2_000).chain([9_999, 10_000, 123_456_789, usize::MAX]) {
            assert_eq!(render(&|o| number(o, n)), n.to_string());
        }
        // Every ten-thousandth, the floats around each, and the edges.
        let mut xs: Vec<f32> = vec![0.0, -0.0, 1.0, -1.0, 2.0, f32::NAN, f32::INFINITY, 1e-9];
        for k in 0..=10_000u32 {
            let x = k as f32 / 1e4;
            xs.extend([
                x,
                f32::from_bits(x.to_bits() + 1),
                x + 0.000_05,
                x - 0.000_05,
            ]);
            if x > 0.0 {
                xs.push(f32::from_bits(x.to_bits() - 1));
            }
        }
        for x in xs {
            assert_eq!(render(&|o| decimal(o, x)), old_decimal(x), "{x:e}");
        }
    }

    #[test]
    fn offsets_are_code_points_and_entity_text_matches() {
        let article = Article::from_json(r#"{"id":"1","body":"Zürich—Genève","k":true}"#).unwrap();
        let text = article.text();
        let start = text.find("Genève").unwrap();
        let analysis = Analysis {
            sentences: vec![Sentence {
                span: Span::new(0, text.len()),
                tokens: 0..0,
            }],
            tokens: vec![],
            entities: vec![Entity {
                span: Span::new(start, text.len()),
                label: Label::Loc,
                score: 0.98766,
            }],
            clusters: vec![Cluster {
                label: Label::Loc,
                canonical: "Genève".into(),
                mentions: vec![0],
                salience: 1.0,
            }],
            quotes: vec![],
        };
        let doc = Document {
            article,
            text,
            analysis,
            ..Document::default()
        };
        let v: Value = serde_json::from_str(&doc.to_json()).unwrap();
        assert_eq!(v["k"], true);
        assert_eq!(v["sentences"][0]["end"], 13);
        let e = &v["entities"][0];
        assert_eq!(
            (e["start"].as_u64(), e["end"].as_u64()),
            (Some(7), Some(13))
        );
        assert_eq!(e["text"], "Genève");
        assert_eq!(e["score"], 0.9877);
        assert_eq!(e["sentence"], 0);
        assert_eq!(
            (&e["cluster"], &e["canonical"]),
            (&json!(0), &json!("Genève"))
        );
        assert_eq!(v["clusters"][0]["mentions"], json!([0]));
        assert_eq!(v["salience"], json!([0]));
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        let want = [
            "id",
            "title",
            "url",
            "published",
            "source",
            "lang",
            "ner_model",
            "k",
            "text",
            "sentences",
            "entities",
            "clusters",
            "salience",
            "quotes",
        ];
        assert_eq!(keys, want);
    }
}
