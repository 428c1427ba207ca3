//! `html:PATH`: a static, self-contained HTML report of a run, for people to read.
//!
//! Each article shows its text with entities highlighted by type (displaCy's colours),
//! quotations marked with their speaker, and a summary; a side panel lists the run's totals
//! and its most frequent entities. The page has no external assets and a Content Security
//! Policy that forbids loading any, so it opens the same from a laptop, a CI artifact or an
//! e-mail attachment.
//!
//! Design choices:
//! - **Streaming.** Articles are rendered as their batch arrives and written straight to the
//!   file; only the side panel's tally is kept, in a map capped at [`MAX_PANEL_KEYS`]. The
//!   panel is written last and placed beside the articles by CSS.
//! - **Atomic.** The report is written to `PATH.tmp` and renamed to `PATH` by `finish`, so a
//!   crashed or failed run never leaves a truncated report under the real name.
//! - **Well-formed whatever the spans.** Spans are byte offsets from the stages; ones that do
//!   not fit the text are skipped, and elements whose spans cross (an entity running out of a
//!   quotation, a quotation over several paragraphs) are closed and reopened, the reopened
//!   part marked `cont`, so the tags always nest.
//! - **Everything from the input is escaped** (text, titles, ids, labels, URLs) and links are
//!   made only for `http`/`https` URLs. The one inline script is allowed by its hash in the
//!   policy, so even a bug in escaping could not run injected script.
//! - No template engine: the markup is small and `String` pushes keep escaping explicit.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;

use article::{Document, Label, RecordView, Span};
use pipeline::{Batch, Sink};
use tokio::io::{AsyncWriteExt, BufWriter};

use crate::SinkError;

/// Most distinct entities (label and name) the side panel tallies. About 200 bytes each at
/// most, so the tally stays under ~20 MB however long the run; entities first seen after the
/// map is full are not tallied, and the panel says how many mentions that left out.
pub const MAX_PANEL_KEYS: usize = 100_000;

/// Longest entity name kept as a panel key, in bytes: a runaway span must not make a key huge.
const MAX_NAME_BYTES: usize = 160;

/// Entries per label in the side panel: enough to see who a run was about, short enough to
/// scan.
const PANEL_PER_LABEL: usize = 20;

/// Most salient clusters listed in each article's summary.
const ARTICLE_TOP_CLUSTERS: usize = 5;

/// Output buffer of the file.
const BUFFER_BYTES: usize = 256 << 10;

/// Writes a self-contained HTML report to a file: the page head when opened, each batch's
/// articles as they arrive, the side panel of top entities and run totals at the end.
///
/// The report is written to `PATH.tmp` beside the target and renamed to `PATH` only by
/// [`Sink::finish`]: a crashed or failed run leaves at most the `.tmp` file, never a half
/// report under the real name. Memory stays flat: articles are not kept, only the panel's
/// tally (capped at [`MAX_PANEL_KEYS`] distinct entities).
#[derive(Debug)]
pub struct HtmlSink {
    /// Where the finished report goes.
    path: PathBuf,
    /// The file being written, renamed to `path` at the end.
    tmp: PathBuf,
    /// The open temporary file.
    out: BufWriter<tokio::fs::File>,
    /// Run totals and the entity tally for the side panel.
    tally: Tally,
    /// Rendering buffer, reused across batches.
    buf: String,
}

impl HtmlSink {
    /// Creates `PATH.tmp` (truncating a leftover one) and writes the page head.
    pub async fn open(path: PathBuf) -> Result<Self, SinkError> {
        let mut name = path.as_os_str().to_owned();
        name.push(".tmp");
        let tmp = PathBuf::from(name);
        let file = tokio::fs::File::create(&tmp)
            .await
            .map_err(|source| SinkError::Io {
                target: tmp.display().to_string(),
                source,
            })?;
        let mut sink = Self {
            path,
            tmp,
            out: BufWriter::with_capacity(BUFFER_BYTES, file),
            tally: Tally::default(),
            buf: String::new(),
        };
        let mut head = String::new();
        write_head(&mut head);
        sink.write_out(head).await?;
        Ok(sink)
    }

    fn io_error(&self, source: std::io::Error) -> SinkError {
        SinkError::Io {
            target: self.tmp.display().to_string(),
            source,
        }
    }

    async fn write_out(&mut self, html: String) -> Result<(), SinkError> {
        let written = self.out.write_all(html.as_bytes()).await;
        self.buf = html;
        written.map_err(|e| self.io_error(e))
    }
}

impl Sink for HtmlSink {
    type Error = SinkError;

    fn name(&self) -> String {
        format!("html:{}", self.path.display())
    }

    async fn write(&mut self, batch: Batch) -> Result<(), SinkError> {
        // Rendering is CPU work: it runs on a blocking thread, as SQLite's writes do, never
        // on the reactor. The buffer and the tally travel there and back.
        let mut html = std::mem::take(&mut self.buf);
        let mut tally = std::mem::take(&mut self.tally);
        let rendered = tokio::task::spawn_blocking(move || {
            html.clear();
            for record in batch.iter() {
                render_article(&record.doc, &mut html, &mut tally);
            }
            (html, tally)
        })
        .await;
        let (html, tally) = rendered.map_err(|_| SinkError::Internal(self.name()))?;
        self.tally = tally;
        self.write_out(html).await
    }

    async fn finish(mut self) -> Result<(), SinkError> {
        let mut html = std::mem::take(&mut self.buf);
        html.clear();
        write_tail(&mut html, &self.tally);
        self.write_out(html).await?;
        let flushed = self.out.flush().await;
        flushed.map_err(|e| self.io_error(e))?;
        let synced = self.out.get_ref().sync_all().await;
        synced.map_err(|e| self.io_error(e))?;
        tokio::fs::rename(&self.tmp, &self.path)
            .await
            .map_err(|source| SinkError::Io {
                target: self.path.display().to_string(),
                source,
            })
    }
}

/// What the side panel reports, accumulated over the run.
#[derive(Debug, Default)]
struct Tally {
    /// Articles rendered.
    articles: u64,
    /// Entities rendered.
    entities: u64,
    /// Quotations rendered.
    quotes: u64,
    /// Quotations with a speaker.
    attributed: u64,
    /// Entity mentions by label name.
    by_label: HashMap<String, u64>,
    /// Articles and mentions by (label, name), at most [`MAX_PANEL_KEYS`] keys.
    top: HashMap<(String, String), Count>,
    /// Mentions of entities left out of `top` because it was full.
    untallied: u64,
    /// Articles by language (`None`: too short to tell); a few dozen keys at most.
    languages: BTreeMap<Option<&'static str>, u64>,
}

/// How often one entity occurs in the run.
#[derive(Debug, Default, Clone, Copy)]
struct Count {
    /// Articles that mention it.
    articles: u64,
    /// Mentions in all.
    mentions: u64,
}

impl Tally {
    /// Adds one article's mentions, by (label, name).
    fn add_article(&mut self, mentions: HashMap<(String, String), u64>) {
        self.articles += 1;
        for (key, n) in mentions {
            let full = self.top.len() >= MAX_PANEL_KEYS;
            match self.top.get_mut(&key) {
                Some(count) => {
                    count.articles += 1;
                    count.mentions += n;
                }
                None if full => self.untallied += n,
                None => {
                    self.top.insert(
                        key,
                        Count {
                            articles: 1,
                            mentions: n,
                        },
                    );
                }
            }
        }
    }
}

/// The CSS class suffix of a label: custom labels share one colour, so a user's label never
/// reaches a class name.
fn label_class(label: &Label) -> &str {
    match label {
        Label::Custom(_) => "custom",
        builtin => builtin.as_str(),
    }
}

/// Built-in labels in legend order, with what they mean.
const LEGEND: [(&str, &str); 8] = [
    ("PER", "person"),
    ("ORG", "organisation"),
    ("LOC", "place"),
    ("MISC", "other name"),
    ("DATE", "date"),
    ("TIME", "time"),
    ("MONEY", "money"),
    ("PERCENT", "percent"),
];

/// Escapes text for HTML content and quoted attribute values alike. NUL, which HTML parsers
/// drop or replace, becomes U+FFFD explicitly.
fn escape(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        // ASCII bytes never occur inside a multi-byte UTF-8 sequence, so `i` and `i + 1`
        // are char boundaries.
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            0 => "\u{FFFD}",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(replacement);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// Whether `url` may become a link: only `http` and `https`, so no `javascript:` or `data:`.
fn linkable(url: &str) -> bool {
    let url = url.trim_start();
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    matches!(scheme.as_deref(), Some("http" | "https"))
}

/// `s` cut to at most `max` bytes on a char boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// What a marked-up stretch of text is.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A paragraph, or the title as a heading.
    Block {
        /// Whether this is the title.
        title: bool,
    },
    /// Quotation `n` of the analysis.
    Quote(usize),
    /// The words naming quotation `n`'s speaker.
    Speaker(usize),
    /// The speech verb of quotation `n`.
    Cue(usize),
    /// Entity `n` of the analysis.
    Entity(usize),
}

impl Kind {
    /// Nesting order, outermost first: blocks hold everything, entities nest innermost
    /// (inside a quotation, inside the words naming a speaker).
    fn rank(self) -> u8 {
        match self {
            Kind::Block { .. } => 0,
            Kind::Quote(_) => 1,
            Kind::Speaker(_) | Kind::Cue(_) => 2,
            Kind::Entity(_) => 3,
        }
    }
}

/// A stretch of the text to wrap in an element.
#[derive(Debug, Clone, Copy)]
struct Marked {
    /// Byte range in the text; always on char boundaries and non-empty.
    span: Span,
    /// What it is.
    kind: Kind,
}

/// Everything [`sweep`] needs to write the opening tag of a marked stretch.
struct Context<'a> {
    /// The article's text.
    text: &'a str,
    /// The record, as every output reads it.
    view: &'a RecordView<'a>,
}

impl Context<'_> {
    /// Who said quotation `q`: the speaker's canonical name, the speaker's words, or
    /// `None` when unattributed.
    fn speaker_name(&self, q: usize) -> Option<&str> {
        self.view.quote(q)?.speaker_name()
    }

    fn open(&self, out: &mut String, kind: Kind, cont: bool) {
        let cont = if cont { " cont" } else { "" };
        match kind {
            Kind::Block { title: true } => out.push_str("<h2 class=\"title\">"),
            Kind::Block { title: false } => out.push_str("<p>"),
            Kind::Quote(q) => {
                let speaker = self.speaker_name(q);
                let attributed = if speaker.is_some() {
                    ""
                } else {
                    " unattributed"
                };
                let _ = write!(
                    out,
                    "<span class=\"quote{attributed}{cont}\" data-q=\"{q}\" data-speaker=\""
                );
                escape(out, speaker.unwrap_or("unattributed"));
                out.push_str("\">");
            }
            Kind::Speaker(q) => {
                let _ = write!(out, "<span class=\"speaker{cont}\" data-q=\"{q}\">");
            }
            Kind::Cue(q) => {
                let _ = write!(out, "<span class=\"cue{cont}\" data-q=\"{q}\">");
            }
            Kind::Entity(e) => {
                let Some(entity) = self.view.entity(e) else {
                    return;
                };
                let _ = write!(
                    out,
                    "<mark class=\"ent ent-{}{cont}\" data-e=\"{e}\" data-label=\"",
                    label_class(entity.label)
                );
                escape(out, entity.label.as_str());
                out.push('"');
                if let Some(c) = entity.cluster {
                    let _ = write!(out, " data-cluster=\"{c}\"");
                }
                out.push_str(" title=\"");
                escape(out, entity.name());
                out.push_str(" · ");
                escape(out, entity.label.as_str());
                let _ = write!(out, " · {:.2}\">", entity.score);
            }
        }
    }

    fn close(&self, out: &mut String, marked: &Marked, at: usize) {
        match marked.kind {
            Kind::Block { title: true } => out.push_str("</h2>"),
            Kind::Block { title: false } => out.push_str("</p>"),
            Kind::Quote(_) | Kind::Speaker(_) | Kind::Cue(_) => out.push_str("</span>"),
            Kind::Entity(e) => {
                // The label goes after the entity's last words, as in displaCy; a part
                // closed early (a crossing span) gets none.
                if at == marked.span.end {
                    if let Some(entity) = self.view.entity(e) {
                        out.push_str("<span class=\"lbl\">");
                        escape(out, entity.label.as_str());
                        out.push_str("</span>");
                    }
                }
                out.push_str("</mark>");
            }
        }
    }
}

/// Writes `text[from..to]` with the marked stretches as properly nested elements.
///
/// Between consecutive boundaries the set of covering stretches is constant; it is sorted
/// by nesting order and compared with the open elements: elements beyond the common prefix
/// are closed and the rest opened. Crossing spans thus become closed-and-reopened parts
/// (the reopened ones marked `cont`, tracked in `opened` across calls), and text outside
/// every block (the newlines between paragraphs) is written bare.
fn sweep(
    out: &mut String,
    cx: &Context<'_>,
    marked: &[Marked],
    (from, to): (usize, usize),
    opened: &mut [bool],
) {
    let mut points = vec![from, to];
    for m in marked {
        for p in [m.span.start, m.span.end] {
            if from < p && p < to {
                points.push(p);
            }
        }
    }
    points.sort_unstable();
    points.dedup();

    // Indices into `marked`, which is sorted by start: `next` is the first not yet seen.
    let mut next = 0;
    let mut active: Vec<usize> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let order = |&i: &usize| {
        let m = &marked[i];
        (
            m.kind.rank(),
            m.span.start,
            std::cmp::Reverse(m.span.end),
            i,
        )
    };
    for window in points.windows(2) {
        let (p, q) = (window[0], window[1]);
        active.retain(|&i| marked[i].span.end > p);
        while next < marked.len() && marked[next].span.start <= p {
            if marked[next].span.end > p {
                active.push(next);
            }
            next += 1;
        }
        active.sort_by_key(order);
        let in_block = active
            .first()
            .is_some_and(|&i| matches!(marked[i].kind, Kind::Block { .. }));
        let wanted: &[usize] = if in_block { &active } else { &[] };
        let common = stack.iter().zip(wanted).take_while(|(a, b)| a == b).count();
        while stack.len() > common {
            if let Some(i) = stack.pop() {
                cx.close(out, &marked[i], p);
            }
        }
        for &i in &wanted[common..] {
            let cont = opened.get(i).copied().unwrap_or(false);
            cx.open(out, marked[i].kind, cont);
            if let Some(flag) = opened.get_mut(i) {
                *flag = true;
            }
            stack.push(i);
        }
        let words = cx.text.get(p..q).unwrap_or("");
        if in_block {
            escape(out, words);
        } else if words.contains('\n') {
            out.push('\n');
        }
    }
    while let Some(i) = stack.pop() {
        cx.close(out, &marked[i], to);
    }
}

/// Renders one article as an `<article>` element and adds it to the tally.
fn render_article(doc: &Document, out: &mut String, tally: &mut Tally) {
    let view = RecordView::new(doc);
    let text = view.text();
    let fits = |s: Span| {
        s.start < s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end)
    };

    // The text opens with the title and a blank line when there is a title; that part
    // becomes the heading, so its entities are highlighted too.
    let title_end = doc
        .article
        .title
        .as_deref()
        .filter(|t| !t.is_empty() && text.starts_with(t))
        .map(str::len)
        .filter(|&n| n == text.len() || text[n..].starts_with('\n'));

    let mut marked = Vec::new();
    let mut body_from = 0;
    if let Some(end) = title_end {
        marked.push(Marked {
            span: Span::new(0, end),
            kind: Kind::Block { title: true },
        });
        body_from = end;
    }
    let mut line_start = body_from;
    for line in text[body_from..].split('\n') {
        let span = Span::new(line_start, line_start + line.len());
        if !line.trim().is_empty() {
            marked.push(Marked {
                span,
                kind: Kind::Block { title: false },
            });
        }
        line_start = span.end + 1;
    }

    let cx = Context { text, view: &view };
    let mut quotes = 0;
    let mut attributed = 0;
    for quote in view.quotes() {
        if !fits(quote.span) {
            continue;
        }
        let q = quote.index;
        quotes += 1;
        marked.push(Marked {
            span: quote.span,
            kind: Kind::Quote(q),
        });
        attributed += u64::from(quote.speaker_name().is_some());
        for (span, kind) in [
            (quote.speaker_span, Kind::Speaker(q)),
            (quote.cue_span, Kind::Cue(q)),
        ] {
            if let Some(span) = span.filter(|&s| fits(s)) {
                marked.push(Marked { span, kind });
            }
        }
    }

    let mut by_label: Vec<(&Label, u64)> = Vec::new();
    let mut mentions: HashMap<(String, String), u64> = HashMap::new();
    let mut entities = 0u64;
    for entity in view.entities() {
        if !fits(entity.span) {
            continue;
        }
        entities += 1;
        marked.push(Marked {
            span: entity.span,
            kind: Kind::Entity(entity.index),
        });
        match by_label.iter_mut().find(|(l, _)| *l == entity.label) {
            Some((_, n)) => *n += 1,
            None => by_label.push((entity.label, 1)),
        }
        let name = truncate(entity.name().trim(), MAX_NAME_BYTES);
        if !name.is_empty() {
            let key = (entity.label.as_str().to_string(), name.to_string());
            *mentions.entry(key).or_default() += 1;
        }
    }
    // `sweep` walks the stretches by start.
    marked.sort_by_key(|m| m.span.start);

    let mut opened = vec![false; marked.len()];
    let a = view.article();
    let _ = write!(
        out,
        "<article class=\"doc\" id=\"doc-{}\" data-entities=\"{entities}\" data-quotes=\"{quotes}\" data-id=\"",
        tally.articles
    );
    escape(out, &a.id);
    out.push_str("\">\n<header>");
    match title_end {
        Some(end) => sweep(out, &cx, &marked, (0, end), &mut opened),
        None => {
            out.push_str("<h2 class=\"title\">");
            escape(out, a.title.as_deref().unwrap_or(&a.id));
            out.push_str("</h2>");
        }
    }
    out.push_str("\n<p class=\"meta\">");
    // The language comes first, as a badge: a reader scanning a mixed feed sees it before
    // the text; its code is one of ours (ISO 639-1), never input, so it needs no escaping.
    let lang = view.lang();
    *tally.languages.entry(lang).or_default() += 1;
    let _ = write!(
        out,
        "<span class=\"lang\" data-lang=\"{}\" title=\"language\">{}</span>",
        lang.unwrap_or(""),
        lang.unwrap_or("?")
    );
    let mut parts = 1;
    for (class, value) in [("source", &a.source), ("published", &a.published)] {
        if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            if parts > 0 {
                out.push_str(" · ");
            }
            let _ = write!(out, "<span class=\"{class}\">");
            escape(out, value);
            out.push_str("</span>");
            parts += 1;
        }
    }
    if let Some(url) = a.url.as_deref().filter(|u| !u.trim().is_empty()) {
        if parts > 0 {
            out.push_str(" · ");
        }
        if linkable(url) {
            out.push_str("<a href=\"");
            escape(out, url.trim());
            out.push_str("\" rel=\"noopener noreferrer\" target=\"_blank\">");
            escape(out, url.trim());
            out.push_str("</a>");
        } else {
            out.push_str("<span class=\"url\">");
            escape(out, url);
            out.push_str("</span>");
        }
        parts += 1;
    }
    if parts > 0 {
        out.push_str(" · ");
    }
    out.push_str("<span class=\"id\">");
    escape(out, &a.id);
    out.push_str("</span></p>\n</header>\n");

    write_article_summary(out, &cx, &by_label, quotes);

    out.push_str("<div class=\"text\">");
    sweep(out, &cx, &marked, (body_from, text.len()), &mut opened);
    out.push_str("</div>\n</article>\n");

    tally.entities += entities;
    tally.quotes += quotes;
    tally.attributed += attributed;
    for (label, n) in by_label {
        *tally
            .by_label
            .entry(label.as_str().to_string())
            .or_default() += n;
    }
    tally.add_article(mentions);
}

/// The per-article summary: entities by type and the most salient clusters.
fn write_article_summary(
    out: &mut String,
    cx: &Context<'_>,
    by_label: &[(&Label, u64)],
    quotes: u64,
) {
    out.push_str("<div class=\"sum\">");
    if by_label.is_empty() {
        out.push_str("<span class=\"none\">no entities</span>");
    }
    for (label, n) in by_label {
        let _ = write!(
            out,
            "<span class=\"count ent-{}\" data-label=\"",
            label_class(label)
        );
        escape(out, label.as_str());
        out.push_str("\">");
        escape(out, label.as_str());
        let _ = write!(out, " {n}</span>");
    }
    let _ = write!(
        out,
        "<span class=\"count quotes\">{quotes} quote{}</span>",
        if quotes == 1 { "" } else { "s" }
    );
    let top: Vec<usize> = cx
        .view
        .salience()
        .into_iter()
        .take(ARTICLE_TOP_CLUSTERS)
        .collect();
    if !top.is_empty() {
        out.push_str("<span class=\"top-label\">most salient:</span>");
    }
    for c in top {
        let Some(cluster) = cx.view.cluster(c) else {
            continue;
        };
        let _ = write!(
            out,
            "<span class=\"chip ent-{}\" data-cluster=\"{c}\" title=\"salience {:.2}\">",
            label_class(cluster.label),
            cluster.salience
        );
        escape(out, cluster.canonical);
        let _ = write!(out, " ×{}</span>", cluster.mentions.len());
    }
    out.push_str("</div>\n");
}

/// The filter script. The Content Security Policy allows exactly this script, by its
/// SHA-256 ([`SCRIPT_HASH`]); a test checks the two agree.
const SCRIPT: &str = r#"
document.getElementById('legend').addEventListener('click', function (event) {
  var button = event.target.closest('button[data-label]');
  if (!button) return;
  var off = button.classList.toggle('off');
  document.querySelectorAll('mark.ent').forEach(function (mark) {
    if (mark.dataset.label === button.dataset.label) mark.classList.toggle('off', off);
  });
});
"#;

/// Base64 of the SHA-256 of [`SCRIPT`], for the policy's `script-src`.
const SCRIPT_HASH: &str = "sha256-VSfJV4dK8PiG8518VHAXhXe19C6c4ks/sofP5gvVHgs=";

/// The report's stylesheet: displaCy's entity colours, a sticky side panel.
const STYLE: &str = r#"
:root { --panel: 22rem; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; background: #fafafa; }
main { margin-right: var(--panel); padding: 1rem 2rem; max-width: calc(60rem + var(--panel)); }
#top h1 { margin: 0 0 .3rem; font-size: 1.4rem; }
#legend { display: flex; flex-wrap: wrap; gap: .4rem; margin: .5rem 0 1rem; }
#legend button { border: 0; border-radius: .35rem; padding: .15rem .6rem; font: inherit; font-size: .85rem; cursor: pointer; }
#legend button.off { opacity: .35; text-decoration: line-through; }
article.doc { background: #fff; border: 1px solid #e2e2e2; border-radius: .5rem; padding: 1rem 1.5rem; margin: 0 0 1.2rem; }
article.doc h2 { margin: 0; font-size: 1.3rem; line-height: 2.1; }
.meta { margin: .2rem 0 .5rem; color: #666; font-size: .85rem; }
.meta a { color: #1a5fb4; word-break: break-all; }
.meta .id { font-family: ui-monospace, monospace; }
.sum { display: flex; flex-wrap: wrap; gap: .3rem; align-items: center; font-size: .8rem; margin-bottom: .6rem; }
.sum .count, .sum .chip { border-radius: .3rem; padding: 0 .4rem; }
.sum .quotes { background: #eee; }
.sum .top-label, .sum .none { color: #666; }
.text p { margin: 0 0 .8rem; line-height: 2.1; }
mark.ent { padding: .1em .3em; border-radius: .35em; color: inherit; -webkit-box-decoration-break: clone; box-decoration-break: clone; }
mark.ent.off { background: none !important; padding: 0; }
mark.ent.off .lbl { display: none; }
.lbl { font-size: .62em; font-weight: 700; text-transform: uppercase; margin-left: .35em; vertical-align: middle; opacity: .75; }
.ent-PER { background: #aa9cfc; }
.ent-ORG { background: #7aecec; }
.ent-LOC { background: #feca74; }
.ent-MISC { background: #c887fb; }
.ent-DATE { background: #bfe1d9; }
.ent-TIME { background: #9cc9cc; }
.ent-MONEY { background: #e4e7d2; }
.ent-PERCENT { background: #ffeb80; }
.ent-custom { background: #ddd; }
.quote { background: #fff7d6; border-bottom: 2px solid #e5a50a; }
.quote:not(.cont)::before { content: "\201C " attr(data-speaker); font-size: .7em; font-weight: 700; color: #fff; background: #c64600; border-radius: .3em; padding: .05em .4em; margin-right: .3em; vertical-align: middle; }
.quote.unattributed:not(.cont)::before { background: #888; }
.speaker { text-decoration: underline 2px #c64600; }
.cue { text-decoration: underline dotted #c64600; }
#panel { position: fixed; top: 0; right: 0; bottom: 0; width: var(--panel); overflow-y: auto; padding: 1rem; background: #fff; border-left: 1px solid #ddd; font-size: .85rem; }
#panel h2 { font-size: 1.1rem; margin: .2rem 0 .5rem; }
#panel h3 { font-size: .9rem; margin: .8rem 0 .3rem; }
#panel dl { display: grid; grid-template-columns: auto 1fr; gap: .1rem .8rem; margin: 0 0 .8rem; }
#panel dt { color: #666; }
#panel dd { margin: 0; font-weight: 600; }
#panel ol { margin: 0; padding-left: 1.6rem; }
#panel li.top { display: flex; justify-content: space-between; gap: .5rem; }
#panel .n { color: #666; font-variant-numeric: tabular-nums; white-space: nowrap; }
.lang { border: 1px solid #999; border-radius: .3rem; padding: 0 .3rem; font-size: .8em; text-transform: uppercase; }
#panel .tag { border-radius: .3rem; padding: 0 .4rem; }
.note { color: #666; font-size: .8rem; }
@media (max-width: 60rem) { main { margin-right: 0; } #panel { position: static; width: auto; border: 0; } }
"#;

/// The page head, the title block and the legend: everything before the first article.
fn write_head(out: &mut String) {
    out.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    // Nothing may be loaded from anywhere: the report must be self-contained, and a page
    // built from untrusted text must not be able to call out even if escaping failed.
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src '{SCRIPT_HASH}'; img-src data:; \
         base-uri 'none'; form-action 'none'\">"
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>newsflow report</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<main>\n<header id=\"top\">\n");
    out.push_str("<h1>newsflow report</h1>\n<p class=\"note\">Entities highlighted by type; ");
    out.push_str("quotations marked with their speaker. Click a type to hide or show it.</p>\n");
    out.push_str("<nav id=\"legend\">");
    for (label, meaning) in LEGEND {
        let _ = write!(
            out,
            "<button type=\"button\" class=\"ent-{label}\" data-label=\"{label}\" \
             title=\"{meaning}\">{label} <small>{meaning}</small></button>"
        );
    }
    out.push_str("</nav>\n</header>\n");
}

/// The side panel (run totals and top entities), the script and the end of the page.
fn write_tail(out: &mut String, tally: &Tally) {
    out.push_str("</main>\n<aside id=\"panel\">\n<h2>Run</h2>\n<dl class=\"stats\">");
    for (name, n) in [
        ("articles", tally.articles),
        ("entities", tally.entities),
        ("quotes", tally.quotes),
        ("attributed quotes", tally.attributed),
    ] {
        let _ = write!(
            out,
            "<dt>{name}</dt><dd data-stat=\"{}\">{n}</dd>",
            name.replace(' ', "-")
        );
    }
    out.push_str("</dl>\n<h3>Languages</h3>\n<dl class=\"langs\">");
    for (lang, n) in &tally.languages {
        let lang = lang.unwrap_or("none");
        let _ = write!(out, "<dt>{lang}</dt><dd data-lang=\"{lang}\">{n}</dd>");
    }
    out.push_str("</dl>\n");

    // Labels by mentions, most first; each lists its entities by articles, then mentions.
    let mut labels: Vec<(&String, u64)> = tally.by_label.iter().map(|(l, &n)| (l, n)).collect();
    labels.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut groups: HashMap<&str, Vec<(&str, Count)>> = HashMap::new();
    for ((label, name), &count) in &tally.top {
        groups
            .entry(label.as_str())
            .or_default()
            .push((name.as_str(), count));
    }
    out.push_str("<h2>Top entities</h2>\n<p class=\"note\">articles · mentions</p>\n");
    if labels.is_empty() {
        out.push_str("<p class=\"note\">no entities</p>\n");
    }
    for (label, n) in labels {
        let parsed = Label::parse(label);
        let class = label_class(&parsed);
        out.push_str("<section class=\"top-group\" data-label=\"");
        escape(out, label);
        let _ = write!(out, "\">\n<h3><span class=\"tag ent-{class}\">");
        escape(out, label);
        let plural = if n == 1 { "" } else { "s" };
        let _ = write!(out, "</span> {n} mention{plural}</h3>\n<ol>");
        let mut entries = groups.remove(label.as_str()).unwrap_or_default();
        entries.sort_by(|a, b| {
            (b.1.articles, b.1.mentions)
                .cmp(&(a.1.articles, a.1.mentions))
                .then_with(|| a.0.cmp(b.0))
        });
        for (name, count) in entries.into_iter().take(PANEL_PER_LABEL) {
            let _ = write!(
                out,
                "<li class=\"top\" data-articles=\"{}\" data-mentions=\"{}\"><span class=\"name\">",
                count.articles, count.mentions
            );
            escape(out, name);
            let _ = write!(
                out,
                "</span><span class=\"n\">{} · {}</span></li>",
                count.articles, count.mentions
            );
        }
        out.push_str("</ol>\n</section>\n");
    }
    if tally.untallied > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} mentions of entities first seen after {MAX_PANEL_KEYS} \
             distinct ones are not in these lists.</p>",
            tally.untallied
        );
    }
    out.push_str("</aside>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
}

#[cfg(test)]
mod tests {
    use article::{parse_marked, Analysis, Article, Cluster, Entity, Quote};
    use base64::Engine as _;
    use sha2::Digest as _;

    use super::*;

    /// A document with id `a1`, an optional title, and a text with entities marked inline
    /// (`[Blair](PER) met`).
    fn doc(title: Option<&str>, marked: &str) -> Document {
        let (text, entities) = parse_marked(marked);
        Document {
            article: Article {
                id: "a1".into(),
                title: title.map(String::from),
                ..Article::default()
            },
            text,
            analysis: Analysis {
                entities,
                ..Analysis::default()
            },
            ..Document::default()
        }
    }

    /// An unresolved quotation of `words`, with its speaker and cue words if given.
    fn quote(text: &str, words: &str, speaker: Option<&str>, cue: Option<&str>) -> Quote {
        Quote {
            span: find(text, words),
            speaker: speaker.map(|s| find(text, s)),
            speaker_cluster: None,
            cue: cue.map(|c| find(text, c)),
        }
    }

    /// The byte span of the first `needle` in `text`.
    fn find(text: &str, needle: &str) -> Span {
        let start = text.find(needle).unwrap();
        Span::new(start, start + needle.len())
    }

    fn render(doc: &Document) -> String {
        let mut out = String::new();
        render_article(doc, &mut out, &mut Tally::default());
        out
    }

    /// The title heading and text of a rendered article in a compact notation, checking on
    /// the way that every tag closes the element it should:
    /// `#(..)` title, `(..)` paragraph, `{..}` quotation, `<..>` speaker, `~..~` cue,
    /// `[PER ..]` entity (labels after the words are left out); a `+` after the opening
    /// sign marks a reopened part.
    fn outline(html: &str) -> String {
        let mut out = String::new();
        let mut stack: Vec<(String, &str, bool)> = Vec::new();
        let mut rest = html;
        while let Some(lt) = rest.find('<') {
            let shown = stack.iter().any(|s| s.2) && !stack.iter().any(|s| s.1 == "lbl");
            if shown {
                out.push_str(&unescape(&rest[..lt]));
            }
            let gt = rest[lt..].find('>').unwrap() + lt;
            let tag = &rest[lt + 1..gt];
            rest = &rest[gt + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let (open, close, _) = stack.pop().expect("a closing tag without an element");
                assert_eq!(open, name, "misnested </{name}> in {html}");
                if shown || close == "lbl" {
                    out.push_str(if close == "lbl" { "" } else { close });
                }
                continue;
            }
            let name = tag.split_whitespace().next().unwrap().to_string();
            if matches!(name.as_str(), "!doctype" | "meta") {
                continue;
            }
            let class = attr(tag, "class").unwrap_or_default();
            let cont = if class.split(' ').any(|c| c == "cont") {
                "+"
            } else {
                ""
            };
            let first = class.split(' ').next().unwrap_or("").to_string();
            let (open, close, root) = match (name.as_str(), first.as_str()) {
                ("h2", "title") => ("#(".to_string(), ")", true),
                ("div", "text") => (String::new(), "", true),
                ("p", _) => ("(".to_string(), ")", false),
                ("span", "quote") => (format!("{{{cont}"), "}", false),
                ("span", "speaker") => (format!("<{cont}"), ">", false),
                ("span", "cue") => (format!("~{cont}"), "~", false),
                ("span", "lbl") => (String::new(), "lbl", false),
                ("mark", _) => {
                    let label = attr(tag, "data-label").unwrap();
                    (format!("[{cont}{label} "), "]", false)
                }
                _ => (String::new(), "", false),
            };
            if stack.iter().any(|s| s.2) || root {
                out.push_str(&open);
            }
            stack.push((name, close, root));
        }
        assert!(stack.is_empty(), "unclosed elements {stack:?} in {html}");
        out
    }

    fn attr(tag: &str, name: &str) -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = tag[at..].find('"')?;
        Some(unescape(&tag[at..at + len]))
    }

    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    /// Renders `doc` and compares its outline with `expected`.
    fn check(doc: &Document, expected: &str) {
        assert_eq!(outline(&render(doc)), expected);
    }

    #[test]
    fn highlights_entities_in_paragraphs_and_title() {
        check(
            &doc(
                Some("Blair visits Paris"),
                "[Blair](PER) visits [Paris](LOC)\n\n[Blair](PER) met [Chirac](PER).\nThey spoke.",
            ),
            "#([PER Blair] visits [LOC Paris])\n([PER Blair] met [PER Chirac].)\n(They spoke.)",
        );
        // Without a title in the text, the heading comes from the title field as plain text.
        check(
            &doc(Some("Other"), "[Blair](PER) spoke."),
            "#(Other)([PER Blair] spoke.)",
        );
    }

    #[test]
    fn nests_entities_inside_a_quote_with_its_speaker() {
        let mut d = doc(
            None,
            "He said \"[Blair](PER) met [Bush](PER).\" Then he left.",
        );
        let q = quote(&d.text, "Blair met Bush.", Some("He"), Some("said"));
        d.analysis.quotes.push(q);
        check(
            &d,
            "#(a1)(<He> ~said~ \"{[PER Blair] met [PER Bush].}\" Then he left.)",
        );
        assert!(render(&d).contains("class=\"quote\" data-q=\"0\" data-speaker=\"He\""));
    }

    #[test]
    fn closes_and_reopens_crossing_spans() {
        // An entity running out of a quotation.
        let mut d = doc(None, "\"Go to [New York\" City Hall](LOC) said.");
        let q = quote(&d.text, "Go to New York", None, None);
        d.analysis.quotes.push(q);
        check(
            &d,
            "#(a1)(\"{Go to [LOC New York]}[+LOC \" City Hall] said.)",
        );
        let html = render(&d);
        let labels = html.matches("class=\"lbl\"").count();
        assert_eq!(labels, 1, "one label: {html}");
        assert!(html.contains("data-speaker=\"unattributed\""));

        // A quotation over two paragraphs, reopened in the second.
        let mut d = doc(None, "\"One.\n\"Two.\" Said.");
        let q = quote(&d.text, "One.\n\"Two.", None, None);
        d.analysis.quotes.push(q);
        check(&d, "#(a1)(\"{One.})\n({+\"Two.}\" Said.)");
    }

    #[test]
    fn skips_spans_that_do_not_fit_the_text() {
        // Byte offsets written out: "ü" and "è" take two bytes, "—" three. The last three
        // spans split "ü", run past the end, and are empty.
        let mut d = doc(None, "Zürich—Genève");
        let spans = [(0, 7), (10, 17), (1, 2), (5, 99), (3, 3)];
        for (start, end) in spans {
            d.analysis.entities.push(Entity {
                span: Span::new(start, end),
                label: Label::Loc,
                score: 1.0,
            });
        }
        check(&d, "#(a1)([LOC Zürich]—[LOC Genève])");
        assert!(render(&d).contains("data-entities=\"2\""));
    }

    #[test]
    fn renders_an_empty_article() {
        let d = doc(None, "");
        check(&d, "#(a1)");
        let html = render(&d);
        assert!(html.contains("data-entities=\"0\"") && html.contains("no entities"));
    }

    #[test]
    fn escapes_untrusted_text_everywhere() {
        let title = "<script>alert(1)</script>";
        let text = format!("{title}\n\n\"onerror=alert(2) <img src=x> & Co's");
        let mut d = doc(Some(title), &text);
        d.analysis.entities.push(Entity {
            span: find(&text, "<img src=x>"),
            label: Label::parse("X\" onmouseover=\"alert(3)"),
            score: 1.0,
        });
        d.article.id = "id\"><b>".into();
        d.article.url = Some("javascript:alert(4)".into());
        d.article.source = Some("<i>BBC</i>".into());
        let html = render(&d);
        for forbidden in ["<script", "<img", "<b>", "<i>", "\" onmouseover", "href="] {
            assert!(!html.contains(forbidden), "{forbidden:?} in {html}");
        }
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;onerror=alert(2)"));
        assert!(html.contains("class=\"ent ent-custom\""));
        check(
            &d,
            "#(<script>alert(1)</script>)\n(\"onerror=alert(2) [X\" onmouseover=\"alert(3) <img src=x>] & Co's)",
        );

        // Only http and https become links.
        d.article.url = Some("HTTPS://example.org/a?b=1&c=\"2\"".into());
        let html = render(&d);
        assert!(html.contains(
            "<a href=\"HTTPS://example.org/a?b=1&amp;c=&quot;2&quot;\" rel=\"noopener noreferrer\""
        ));
        for url in [
            "data:text/html,x",
            " javascript:x",
            "vbscript:x",
            "file:///etc",
        ] {
            assert!(!linkable(url), "{url}");
        }
    }

    #[test]
    fn panel_counts_articles_and_mentions_by_canonical_name() {
        let mut tally = Tally::default();
        let mut d = doc(
            None,
            "[Tony Blair](PER) said \"Go.\" [Blair](PER) left [London](LOC).",
        );
        d.analysis.clusters.push(Cluster {
            label: Label::Per,
            canonical: "Tony Blair".into(),
            mentions: vec![0, 1],
            salience: 1.0,
        });
        let mut q = quote(&d.text, "Go.", Some("Tony Blair"), Some("said"));
        q.speaker_cluster = Some(0);
        d.analysis.quotes.push(q);
        let mut html = String::new();
        render_article(&d, &mut html, &mut tally);
        render_article(&d, &mut html, &mut tally);
        assert!(html.contains("data-speaker=\"Tony Blair\""));
        assert!(html.contains("title=\"Tony Blair · PER · 1.00\""));
        assert!(html.contains("<span class=\"chip ent-PER\" data-cluster=\"0\""));

        let mut panel = String::new();
        write_tail(&mut panel, &tally);
        for expected in [
            "<dd data-stat=\"articles\">2</dd>",
            "<dd data-stat=\"entities\">6</dd>",
            "<dd data-stat=\"quotes\">2</dd>",
            "<dd data-stat=\"attributed-quotes\">2</dd>",
            "<li class=\"top\" data-articles=\"2\" data-mentions=\"4\"><span class=\"name\">Tony Blair</span>",
            "<li class=\"top\" data-articles=\"2\" data-mentions=\"2\"><span class=\"name\">London</span>",
            "<span class=\"tag ent-PER\">PER</span> 4 mentions",
        ] {
            assert!(panel.contains(expected), "{expected:?} not in {panel}");
        }
        assert_eq!(panel.matches("<li class=\"top\"").count(), 2);
    }

    #[test]
    fn badges_the_language_and_counts_it_in_the_panel() {
        let mut d = doc(Some("Berlin"), "[Berlin](LOC) heute");
        d.lang = Some("de");
        let (mut tally, mut out) = (Tally::default(), String::new());
        render_article(&d, &mut out, &mut tally);
        render_article(&doc(None, "x"), &mut out, &mut tally);
        assert!(
            out.contains("<span class=\"lang\" data-lang=\"de\""),
            "{out}"
        );
        let mut panel = String::new();
        write_tail(&mut panel, &tally);
        for expected in [
            "<dd data-lang=\"de\">1</dd>",
            "<dd data-lang=\"none\">1</dd>",
        ] {
            assert!(panel.contains(expected), "{expected:?} not in {panel}");
        }
    }

    #[test]
    fn panel_tally_stops_growing_at_its_cap() {
        let mut tally = Tally::default();
        let one = |name: String| HashMap::from([(("PER".to_string(), name), 2)]);
        for i in 0..MAX_PANEL_KEYS {
            tally.add_article(one(i.to_string()));
        }
        tally.add_article(one("new".into()));
        tally.add_article(one("0".into()));
        assert_eq!(tally.top.len(), MAX_PANEL_KEYS);
        assert_eq!(tally.untallied, 2);
        assert_eq!(tally.top[&("PER".to_string(), "0".to_string())].mentions, 4);
        let mut panel = String::new();
        write_tail(&mut panel, &tally);
        assert!(panel.contains("2 mentions of entities first seen after"));
    }

    #[test]
    fn policy_allows_exactly_the_inline_script() {
        let digest = sha2::Sha256::digest(SCRIPT.as_bytes());
        let expected = format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        assert_eq!(SCRIPT_HASH, expected, "update SCRIPT_HASH");
    }

    #[tokio::test]
    async fn writes_the_report_under_a_temporary_name_until_finished() {
        let dir = std::env::temp_dir().join(format!("newsflow-html-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("report.html");
        let tmp = dir.join("report.html.tmp");
        let _ = std::fs::remove_file(&path);

        let mut sink = HtmlSink::open(path.clone()).await.unwrap();
        let d = doc(Some("Zürich—Genève"), "[Zürich](LOC)—Genève");
        let records = vec![pipeline::Record {
            json: d.to_json(),
            doc: d,
        }];
        sink.write(Batch::new(records, 1, Vec::new()))
            .await
            .unwrap();
        assert!(tmp.exists() && !path.exists());
        sink.finish().await.unwrap();
        assert!(path.exists() && !tmp.exists());

        let html = std::fs::read_to_string(&path).unwrap();
        assert!(html
            .starts_with("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"));
        assert!(html.ends_with("</html>\n"));
        // Self-contained: nothing refers to anything outside the page.
        for external in ["src=", "href=", "url(", "@import", "http:", "https:"] {
            assert!(!html.contains(external), "{external:?} in the report");
        }
        let body = &html[html.find("<body>").unwrap()..html.find("<script>").unwrap()];
        assert_eq!(outline(&format!("{body}</body>")), "#([LOC Zürich]—Genève)");
        assert_eq!(html.matches("<article ").count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
