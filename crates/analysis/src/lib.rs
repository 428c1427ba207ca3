//! The analysis newsflow runs on every article: the [`Stage`] implementations over the NLP
//! crates and [`Analyzer`], the one value that says which stages a run has.
//!
//! The runtime (`pipeline`) knows only the [`Stage`] trait; this crate is where the NLP
//! crates meet it, so a change to the tagger rebuilds this crate and the binary, never the
//! runtime, the sources or the sinks. The binary builds an [`Analyzer`] and hands its
//! [`Analyzer::stages`] to `pipeline::run`.
//!
//! Extending it: a new step is a [`Step`] variant, its stage below and one line in
//! [`Analyzer::through`]. Per-language routing (a language stage first, then the tagger
//! chosen by the article's language) belongs here too, behind the same `Analyzer`, so the
//! runtime and the binary stay as they are.

use std::sync::Arc;

use article::Document;
use pipeline::Stage;
use quotes::{Cues, QuoteFinder};
use resolve::Resolver;
use segment::Segmenter;
use tagger::Tagger;

/// The steps of the analysis, in the order they run; each needs the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// The article's language, and `--languages` filtering.
    Lang,
    /// Sentence and token boundaries.
    Segment,
    /// Named entities, from the model and the rules.
    Tag,
    /// Entities grouped into clusters, with salience.
    Resolve,
    /// Direct quotations and their speakers.
    Quote,
}

impl Step {
    /// Every step, in running order.
    pub const ALL: [Step; 5] = [
        Step::Lang,
        Step::Segment,
        Step::Tag,
        Step::Resolve,
        Step::Quote,
    ];

    /// The step's name in logs and benchmark reports; also its stage's [`Stage::name`].
    pub fn name(self) -> &'static str {
        match self {
            Step::Lang => "lang",
            Step::Segment => "segment",
            Step::Tag => "tag",
            Step::Resolve => "resolve",
            Step::Quote => "quote",
        }
    }
}

/// The stages a run applies to every article, in order, shared by every worker.
#[derive(Clone)]
pub struct Analyzer {
    /// The stages; an `Arc` because every worker thread holds the same list and model.
    stages: Arc<[Box<dyn Stage>]>,
}

impl Analyzer {
    /// The full analysis `newsflow run` does, for every language: detect the language,
    /// segment, tag with the models of [`NerModels::english`]`(tagger)`, resolve, quote.
    pub fn new(tagger: Tagger) -> Self {
        Self::through(tagger, Step::Quote)
    }

    /// The analysis up to and including `last` (`bench --stage` measures a prefix).
    pub fn through(tagger: Tagger, last: Step) -> Self {
        Self::build(NerModels::english(tagger), last, None)
    }

    /// The analysis up to `last` with these entity models, passing on only articles in
    /// `languages` (ISO 639-1 codes; `None`: every language). The others are skipped.
    pub fn build(models: NerModels, last: Step, languages: Option<Vec<&'static str>>) -> Self {
        let mut stages: Vec<Box<dyn Stage>> = vec![Box::new(Detect { only: languages })];
        if last >= Step::Segment {
            stages.push(Box::new(Segment::default()));
        }
        if last >= Step::Tag {
            stages.push(Box::new(Tag(models)));
        }
        if last >= Step::Resolve {
            stages.push(Box::new(Resolve::default()));
        }
        if last >= Step::Quote {
            stages.push(Box::new(Quote::default()));
        }
        Self {
            stages: Arc::from(stages),
        }
    }

    /// The stages, for `pipeline::run`.
    pub fn stages(&self) -> Arc<[Box<dyn Stage>]> {
        Arc::clone(&self.stages)
    }

    /// The stages' names, in running order.
    pub fn names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.name()).collect()
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("stages", &self.names())
            .finish()
    }
}

/// The languages whose cues entity resolution and quote attribution know (titles, speech
/// verbs, "according to"): English today. Other languages' quotations are still found.
const CUE_LANGUAGES: [&str; 1] = ["en"];

/// The entity models of a run, by the language each was trained on. An article gets the
/// model of its language, none for a language without one (a model never tags a language
/// it was not trained on), and the first model when its language cannot be told.
pub struct NerModels {
    /// (language, model name as records show it, model).
    models: Vec<(&'static str, &'static str, Tagger)>,
}

impl NerModels {
    /// The name records give the embedded English model (`ner_model`).
    pub const ENGLISH: &'static str = "en-conll2003";

    /// `tagger` for English, the only language newsflow has a model for today. A model for
    /// another language is a trained file (`newsflow train` reads any CoNLL file) plus one
    /// [`NerModels::with`] here.
    pub fn english(tagger: Tagger) -> Self {
        Self {
            models: vec![("en", Self::ENGLISH, tagger)],
        }
    }

    /// Adds (or replaces) the model for `lang`.
    pub fn with(mut self, lang: &'static str, name: &'static str, tagger: Tagger) -> Self {
        self.models.retain(|(l, _, _)| *l != lang);
        self.models.push((lang, name, tagger));
        self
    }

    /// The model for `lang`, with its name. A text whose language cannot be told (a
    /// headline, a dateline) gets the first model, English: it finds the names there, where
    /// the neutral rules would find none.
    fn for_lang(&self, lang: Option<&str>) -> Option<(&'static str, &Tagger)> {
        let found = match lang {
            Some(lang) => self.models.iter().find(|(l, _, _)| *l == lang),
            None => self.models.first(),
        };
        found.map(|(_, name, tagger)| (*name, tagger))
    }
}

impl std::fmt::Debug for NerModels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.models.iter().map(|(_, n, _)| *n).collect();
        f.debug_struct("NerModels").field("models", &names).finish()
    }
}

/// Detects the article's language and skips it when the run asked for other languages.
#[derive(Debug, Default)]
pub struct Detect {
    /// Languages to pass on; `None`: all.
    pub only: Option<Vec<&'static str>>,
}

/// Why an article in a language not asked for is not passed on.
pub const SKIPPED_LANGUAGE: &str = "language";

impl Stage for Detect {
    fn name(&self) -> &'static str {
        Step::Lang.name()
    }

    fn process(&self, doc: &mut Document) {
        let declared = doc.article.declared_lang.as_deref();
        // A guess the text did not decide, with no declaration behind it, is no language:
        // on a headline it is noise ("Soccer - Romania Beat Lithuania in Under-21 Match."
        // reads as Javanese, 31 of eng.testa's 121 headline records read as af, la, jv ...),
        // and it kept the English model off English text.
        doc.lang = lang::detect(&doc.text, declared)
            .filter(|d| d.reliable || declared.and_then(lang::iso_639_1) == Some(d.lang))
            .map(|d| d.lang);
        if let Some(only) = &self.only {
            if !doc.lang.is_some_and(|l| only.contains(&l)) {
                doc.skipped = Some(SKIPPED_LANGUAGE);
            }
        }
    }
}

/// Splits the text into sentences and tokens.
#[derive(Debug, Default)]
pub struct Segment(pub Segmenter);

impl Stage for Segment {
    fn name(&self) -> &'static str {
        Step::Segment.name()
    }

    fn process(&self, doc: &mut Document) {
        doc.analysis = self.0.analyse_lang(&doc.text, doc.lang);
    }
}

/// Finds named entities with the model of the article's language, or, with none, only the
/// language-neutral rules (amounts with currency signs, percentages with `%`).
#[derive(Debug)]
pub struct Tag(pub NerModels);

impl Stage for Tag {
    fn name(&self) -> &'static str {
        Step::Tag.name()
    }

    fn process(&self, doc: &mut Document) {
        match self.0.for_lang(doc.lang) {
            Some((name, tagger)) => {
                tagger.tag(&doc.text, &mut doc.analysis);
                doc.ner_model = Some(name);
            }
            None => {
                if let Some((_, _, any)) = self.0.models.first() {
                    any.tag_neutral(&doc.text, &mut doc.analysis);
                }
            }
        }
    }
}

/// Groups the entities into clusters of mentions of one entity each, with salience.
#[derive(Debug, Default)]
pub struct Resolve(pub Resolver);

impl Stage for Resolve {
    fn name(&self) -> &'static str {
        Step::Resolve.name()
    }

    fn process(&self, doc: &mut Document) {
        if !doc.lang.is_some_and(|l| CUE_LANGUAGES.contains(&l)) {
            return;
        }
        // `Article::text` puts the title first; entities there are headline mentions.
        let headline = match &doc.article.title {
            Some(title) if doc.text.starts_with(title.as_str()) => 0..title.len(),
            _ => 0..0,
        };
        self.0.resolve(&doc.text, headline, &mut doc.analysis);
    }
}

/// Finds direct quotations and their speakers.
#[derive(Debug, Default)]
pub struct Quote(pub QuoteFinder);

impl Stage for Quote {
    fn name(&self) -> &'static str {
        Step::Quote.name()
    }

    fn process(&self, doc: &mut Document) {
        // Other languages' quotations are found by their marks, left unattributed.
        let cues = if doc.lang.is_some_and(|l| CUE_LANGUAGES.contains(&l)) {
            Cues::English
        } else {
            Cues::None
        };
        self.0.find_with(&doc.text, &mut doc.analysis, cues);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_follow_the_steps_in_order() {
        let all: Vec<&str> = Step::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(Analyzer::new(Tagger::default()).names(), all);
        assert_eq!(
            Analyzer::through(Tagger::default(), Step::Tag).names(),
            ["lang", "segment", "tag"]
        );
        assert_eq!(
            Analyzer::through(Tagger::default(), Step::Segment).names(),
            ["lang", "segment"]
        );
    }

    #[test]
    fn full_analysis_fills_every_step() {
        let line = r#"{"id": "a", "title": "Lavrov meets Blinken", "body": "Sergey Lavrov met Antony Blinken in Geneva. \u201cWe do not expect a breakthrough today,\u201d Lavrov said."}"#;
        let article = article::Article::from_json(line).unwrap();
        let text = article.text();
        let mut doc = Document {
            article,
            text,
            analysis: article::Analysis::default(),
            ..Document::default()
        };
        for stage in Analyzer::new(Tagger::default()).stages().iter() {
            stage.process(&mut doc);
        }
        let a = &doc.analysis;
        assert_eq!(a.sentences.len(), 3, "{:?}", a.sentences);
        assert!(a
            .entities
            .iter()
            .any(|e| &doc.text[e.span.start..e.span.end] == "Geneva"));
        assert!(a.clusters.iter().any(|c| c.canonical == "Sergey Lavrov"));
        assert_eq!(a.quotes.len(), 1);
    }

    fn analyse(line: &str, languages: Option<Vec<&'static str>>) -> Document {
        let article = article::Article::from_json(line).unwrap();
        let text = article.text();
        let mut doc = Document {
            article,
            text,
            ..Document::default()
        };
        let analyzer = Analyzer::build(
            NerModels::english(Tagger::default()),
            Step::Quote,
            languages,
        );
        for stage in analyzer.stages().iter() {
            stage.process(&mut doc);
            if doc.skipped.is_some() {
                break;
            }
        }
        doc
    }

    #[test]
    fn english_gets_the_english_model() {
        let doc = analyse(
            r#"{"body": "Sergey Lavrov met Antony Blinken in Geneva on Friday, and the two men said that they would meet again."}"#,
            None,
        );
        assert_eq!(doc.lang, Some("en"));
        assert_eq!(doc.ner_model, Some(NerModels::ENGLISH));
        assert!(doc
            .analysis
            .entities
            .iter()
            .any(|e| e.label == article::Label::Per));
    }

    #[test]
    fn a_language_without_a_model_gets_only_neutral_entities() {
        let doc = analyse(
            r#"{"title": "Namenswechsel bei der Telekom", "body": "Die Deutsche Telekom hat am Freitag in Bonn mitgeteilt, dass der Umsatz um 5 % auf 100 € je Kunde gestiegen ist. Tim Höttges sagte: „Wir sind mit dem Ergebnis sehr zufrieden.“"}"#,
            None,
        );
        assert_eq!(doc.lang, Some("de"));
        assert_eq!(doc.ner_model, None);
        let labels: Vec<&str> = doc
            .analysis
            .entities
            .iter()
            .map(|e| e.label.as_str())
            .collect();
        assert_eq!(labels, ["PERCENT", "MONEY"], "{:?}", doc.analysis.entities);
        assert!(doc.analysis.clusters.is_empty());
        assert!(!doc.analysis.sentences.is_empty());
        // The „…“ quotation is found, with no speaker.
        assert_eq!(doc.analysis.quotes.len(), 1, "{:?}", doc.analysis.quotes);
        assert!(doc.analysis.quotes[0].speaker.is_none());
    }

    #[test]
    fn only_the_languages_asked_for_pass() {
        let german = r#"{"body": "Die Außenminister trafen sich am Freitag in Genf und sagten, dass die Gespräche nützlich gewesen seien."}"#;
        let english = r#"{"body": "The foreign ministers met in Geneva on Friday and said that the talks had been useful."}"#;
        assert_eq!(
            analyse(german, Some(vec!["en"])).skipped,
            Some(SKIPPED_LANGUAGE)
        );
        assert_eq!(analyse(english, Some(vec!["en"])).skipped, None);
        assert_eq!(analyse(german, Some(vec!["en", "de"])).skipped, None);
    }

    #[test]
    fn a_headline_too_short_to_tell_gets_the_english_model() {
        let doc = analyse(
            r#"{"title": "Soccer - Romania Beat Lithuania in Under-21 Match."}"#,
            None,
        );
        assert_eq!(doc.lang, None);
        assert_eq!(doc.ner_model, Some(NerModels::ENGLISH));
        let found: Vec<&str> = doc
            .analysis
            .entities
            .iter()
            .map(|e| e.span.slice(&doc.text))
            .collect();
        assert!(found.contains(&"Lithuania"), "{found:?}");
    }

    #[test]
    fn a_declared_language_decides_a_short_text() {
        let doc = analyse(
            r#"{"title": "Bombcast 566: Jim = Duke", "lang": "en-US"}"#,
            None,
        );
        assert_eq!(doc.lang, Some("en"));
    }
}
