//! Feature extraction: every feature is a 64-bit key (see [`crate::hash`]).
//!
//! Features come in two kinds, and the split is what makes tagging fast:
//! - **word features** ([`word_bases`]) depend only on one word's string; seen at an offset
//!   `k` in -2..=2 of the token being labelled, they become [`offset_key`]s. Their summed
//!   weights are cached per word type when the model loads, so a known word costs one
//!   lookup per token instead of dozens.
//! - **context features** ([`context`]) depend on neighbours, the sentence, gazetteer
//!   matches, the rest of the document and, in the second stage, on the first stage's
//!   labels. Bigrams are hashed and looked up per token; features whose value comes from
//!   a small set go through [`FeatureSink::small`], which the tagger answers from arrays
//!   filled at load.
//!
//! Training and tagging go through the same functions ([`context_with`], [`stack_with`],
//! [`word_bases_with`]) with different sinks, so the two paths agree by construction.

use std::ops::Range;

use crate::gazetteer::{Gazetteer, NCAT};
use crate::hash::{Fh, IdMap};
use crate::labels::{parts, TokenEntity};

/// Word features are seen at offsets `-WINDOW..=WINDOW`.
pub(crate) const WINDOW: usize = 2;
/// Number of offsets.
pub(crate) const NOFF: usize = 2 * WINDOW + 1;

const T_WORD: u64 = 1;
const T_LOWER: u64 = 2;
const T_SHAPE: u64 = 3;
const T_PRE: u64 = 4;
const T_SUF: u64 = 5;
const T_LEN: u64 = 6;
const T_OFF: u64 = 7;
const T_BIAS: u64 = 8;
const T_BOUND: u64 = 9;
const T_BIL: u64 = 10;
const T_BIR: u64 = 11;
const T_SHL: u64 = 12;
const T_SHR: u64 = 13;
const T_FIRST: u64 = 14;
const T_CAPSENT: u64 = 15;
const T_GAZ: u64 = 16;
const T_DOC: u64 = 17;
const T_RUN: u64 = 18;
const T_S1: u64 = 19;
const T_TOKMAJ: u64 = 20;
const T_ENTMAJ: u64 = 21;
const T_S1TM: u64 = 22;
const T_CLUSTER: u64 = 23;
const T_FLAGS: u64 = 24;
const T_TDOC: u64 = 25;
const T_TITLESENT: u64 = 26;

/// Token flags.
const CAP: u8 = 1;
const ALLCAPS: u8 = 2;
const LOWER: u8 = 4;
const DIGIT: u8 = 8;

/// Sentence-position flags.
const FIRST: u8 = 1;
const SENTCAPS: u8 = 2;
/// A Title-Case line ("Google Launches Native Gmail App For iPhone"): capitals say as
/// little about names there as in an all-caps headline, but in a different way.
const TITLED: u8 = 4;

/// The lowercase hash of a word (also the unit of gazetteer phrases).
pub(crate) fn lower_hash(w: &str) -> u64 {
    Fh::new(T_LOWER).lower(w).finish()
}

/// The exact-word key, which also names a word in the model's vocabulary cache.
pub(crate) fn word_key(w: &str) -> u64 {
    Fh::new(T_WORD).str(w).finish()
}

/// What the features need to know about one token, computed once per token.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tok {
    /// [`word_key`].
    pub(crate) word: u64,
    /// [`lower_hash`].
    pub(crate) lower: u64,
    /// Hash of the collapsed word shape ("Xx", "X.X.", "d,d").
    pub(crate) shape: u64,
    /// CAP / ALLCAPS / LOWER / DIGIT.
    pub(crate) flags: u8,
}

impl Tok {
    /// Computes the token's facts in one pass over its characters.
    pub(crate) fn new(w: &str) -> Self {
        if w.is_ascii() {
            Self::ascii(w)
        } else {
            Self::general(w)
        }
    }

    /// [`Tok::new`] for any string, char by char.
    fn general(w: &str) -> Self {
        let mut flags = 0;
        let mut letters = 0usize;
        let mut uppers = 0usize;
        let mut shape = Fh::new(T_SHAPE);
        let mut last = 0u8;
        let mut run = 0;
        for (n, c) in w.chars().enumerate() {
            let class = if c.is_uppercase() {
                letters += 1;
                uppers += 1;
                b'X'
            } else if c.is_alphabetic() {
                letters += 1;
                b'x'
            } else if c.is_ascii_digit() {
                flags |= DIGIT;
                b'd'
            } else if c.is_ascii() {
                c as u8
            } else {
                b'*'
            };
            if n == 0 {
                if class == b'X' {
                    flags |= CAP;
                } else if class == b'x' {
                    flags |= LOWER;
                }
            }
            // Collapse runs beyond two so "Xxxxx" and "Xxxxxxxx" share a shape.
            if class == last {
                run += 1;
            } else {
                run = 0;
                last = class;
            }
            if run < 2 {
                shape = shape.byte(class);
            }
        }
        if letters > 0 && uppers == letters && (letters > 1 || w.len() == 1) {
            flags |= ALLCAPS;
        }
        Tok {
            word: word_key(w),
            lower: lower_hash(w),
            shape: shape.finish(),
            flags,
        }
    }

    /// [`Tok::new`] for ASCII words, nearly all of them: one pass over the bytes feeds the
    /// three hashes side by side (their multiply chains overlap) and classifies bytes
    /// without Unicode tables. It computes exactly what the general path does.
    fn ascii(w: &str) -> Self {
        let mut flags = 0;
        let mut letters = 0usize;
        let mut uppers = 0usize;
        let mut shape = Fh::new(T_SHAPE);
        let mut word = Fh::new(T_WORD);
        let mut lower = Fh::new(T_LOWER);
        let mut last = 0u8;
        let mut run = 0;
        for (n, b) in w.bytes().enumerate() {
            word = word.byte(b);
            lower = lower.byte(b.to_ascii_lowercase());
            let class = if b.is_ascii_uppercase() {
                letters += 1;
                uppers += 1;
                b'X'
            } else if b.is_ascii_lowercase() {
                letters += 1;
                b'x'
            } else if b.is_ascii_digit() {
                flags |= DIGIT;
                b'd'
            } else {
                b
            };
            if n == 0 {
                if class == b'X' {
                    flags |= CAP;
                } else if class == b'x' {
                    flags |= LOWER;
                }
            }
            if class == last {
                run += 1;
            } else {
                run = 0;
                last = class;
            }
            if run < 2 {
                shape = shape.byte(class);
            }
        }
        if letters > 0 && uppers == letters && (letters > 1 || w.len() == 1) {
            flags |= ALLCAPS;
        }
        Tok {
            word: word.byte(0xff).finish(),
            lower: lower.byte(0xff).finish(),
            shape: shape.finish(),
            flags,
        }
    }

    /// Whether the token starts with an uppercase letter.
    pub(crate) fn is_cap(&self) -> bool {
        self.flags & CAP != 0
    }
}

/// Receives a word's features. A few of them (shape, flags, length, cluster path) take
/// few distinct values, so the tagger sums their weights per value at load and adds one
/// block for a word outside its vocabulary; training and the vocabulary cache hash them
/// all. Both go through [`word_bases_with`], so they agree on which features a word has.
pub(crate) trait WordSink {
    /// Word feature `base`; `windowed` features are also seen at the neighbours' offsets,
    /// the rest only at offset 0.
    fn base(&mut self, base: u64, windowed: bool);
    /// The shape feature (windowed); `shape` is [`Tok::shape`].
    fn shape(&mut self, shape: u64) {
        self.base(shape, true);
    }
    /// The case and digit flags (windowed).
    fn flags(&mut self, flags: u8) {
        self.base(flags_key(flags), true);
    }
    /// The length in characters, capped at 8 (offset 0 only).
    fn len(&mut self, n: u64) {
        self.base(len_key(n), false);
    }
    /// The cluster path prefixes of cluster path `c` (windowed).
    fn cluster(&mut self, c: u32) {
        for depth in CLUSTER_DEPTHS {
            self.base(cluster_key(depth, c), true);
        }
    }
}

/// Cluster paths at several depths: coarse classes generalise, fine ones separate.
pub(crate) const CLUSTER_DEPTHS: [u32; 4] = [4, 6, 8, 10];
/// Cluster features depend only on this many leading bits of a path.
pub(crate) const CLUSTER_BITS: u32 = 10;

/// The flags feature of a word with `flags`.
pub(crate) fn flags_key(flags: u8) -> u64 {
    Fh::new(T_FLAGS).u64(u64::from(flags)).finish()
}

/// The length feature of a word of `n` characters (capped at 8 by the caller).
pub(crate) fn len_key(n: u64) -> u64 {
    Fh::new(T_LEN).u64(n).finish()
}

/// The cluster feature at `depth` of cluster path `c`.
pub(crate) fn cluster_key(depth: u32, c: u32) -> u64 {
    let prefix = c >> (32 - depth).min(31);
    Fh::new(T_CLUSTER)
        .u64(u64::from(depth))
        .u64(u64::from(prefix))
        .finish()
}

/// Every value [`WordSink::flags`] can receive is below this.
pub(crate) const FLAG_VALUES: usize = 16;
/// Every value [`WordSink::len`] can receive is below this.
pub(crate) const LEN_VALUES: usize = 9;

/// Hashes every word feature: the sink of training and of the vocabulary cache.
struct AllBases<F>(F);

impl<F: FnMut(u64, bool)> WordSink for AllBases<F> {
    #[inline(always)]
    fn base(&mut self, base: u64, windowed: bool) {
        (self.0)(base, windowed);
    }
}

/// Calls `f(base, windowed)` for each word feature of `w`; windowed features are also seen
/// at the neighbours' offsets, the rest only at offset 0. `cluster` is the word's cluster
/// path when the model has clusters.
#[inline(always)]
pub(crate) fn word_bases(w: &str, tok: &Tok, cluster: Option<u32>, f: &mut impl FnMut(u64, bool)) {
    word_bases_with(w, tok, cluster, &mut AllBases(f));
}

/// Sends each word feature of `w` to `f` (see [`word_bases`]).
#[inline(always)]
pub(crate) fn word_bases_with(w: &str, tok: &Tok, cluster: Option<u32>, f: &mut impl WordSink) {
    f.base(tok.lower, true);
    f.shape(tok.shape);
    f.base(tok.word, false);
    f.flags(tok.flags);
    let nchars = w.chars().count();
    f.len(nchars.min(8) as u64);
    // Affixes of up to four characters, lowercased: case is already in the shape.
    let mut ends = w
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .chain(std::iter::once(w.len()));
    for n in 1..=4.min(nchars) {
        if let Some(e) = ends.next() {
            f.base(Fh::new(T_PRE).u64(n as u64).lower(&w[..e]).finish(), false);
        }
    }
    let mut rstarts = w.char_indices().rev().map(|(i, _)| i);
    for n in 1..=4.min(nchars) {
        if let Some(s) = rstarts.next() {
            f.base(Fh::new(T_SUF).u64(n as u64).lower(&w[s..]).finish(), false);
        }
    }
    if let Some(c) = cluster {
        f.cluster(c);
    }
}

/// The key of word feature `base` seen at offset `k` from the labelled token.
#[inline]
pub(crate) fn offset_key(base: u64, k: usize) -> u64 {
    Fh::new(T_OFF).u64(base).u64(k as u64).finish()
}

/// Document-wide facts for the context features, computed once per document.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocCtx {
    /// Per-token facts.
    pub(crate) toks: Vec<Tok>,
    /// Sentence of each token.
    sent_of: Vec<u32>,
    /// Token ranges of the sentences.
    pub(crate) sents: Vec<Range<usize>>,
    /// FIRST / SENTCAPS per token.
    pos: Vec<u8>,
    /// Gazetteer match tag per token and list.
    gaz: Vec<[u8; NCAT]>,
    /// Position in a run of capitalised tokens (0 = not in one).
    run: Vec<u8>,
    /// Document evidence bits per token.
    doc: Vec<u8>,
}

impl DocCtx {
    /// Computes the document facts for `words` split into `sents`.
    pub(crate) fn new(words: &[&str], sents: &[Range<usize>], gaz: &Gazetteer) -> Self {
        let n = words.len();
        let toks: Vec<Tok> = words.iter().map(|w| Tok::new(w)).collect();
        let mut sent_of = vec![0u32; n];
        let mut pos = vec![0u8; n];
        let mut gz = vec![[0u8; NCAT]; n];
        let mut run = vec![0u8; n];
        for (si, s) in sents.iter().enumerate() {
            let s = s.start.min(n)..s.end.min(n);
            if s.is_empty() {
                continue;
            }
            let t = &toks[s.clone()];
            // A headline: most words all-caps, so case says nothing about names.
            let words_n = t.iter().filter(|t| t.flags & (CAP | LOWER) != 0).count();
            let caps = t.iter().filter(|t| t.flags & ALLCAPS != 0).count();
            let sentcaps = words_n >= 2 && caps * 2 > words_n;
            // Title Case: two thirds of the words capitalised and at most one lowercase
            // word longer than the short function words Title Case leaves lowercase; a
            // sentence lowercases its verbs, so it rarely passes both. Three-word
            // sentences of two names and a verb ("Peter Blackburn spoke") pass too: the
            // committed model was trained with this rule, so changing it means retraining.
            let capn = t.iter().filter(|t| t.is_cap()).count();
            let long_lower = t
                .iter()
                .zip(&words[s.clone()])
                .filter(|(t, w)| t.flags & LOWER != 0 && w.len() > 4)
                .count();
            let titled = !sentcaps && words_n >= 3 && capn * 3 >= words_n * 2 && long_lower <= 1;
            let flag = if sentcaps {
                SENTCAPS
            } else if titled {
                TITLED
            } else {
                0
            };
            for i in s.clone() {
                sent_of[i] = si as u32;
                pos[i] = flag;
            }
            pos[s.start] |= FIRST;
            gaz.tag(t, &mut gz[s.clone()]);
            let mut i = s.start;
            while i < s.end {
                if !toks[i].is_cap() {
                    i += 1;
                    continue;
                }
                let mut j = i;
                while j < s.end && toks[j].is_cap() {
                    j += 1;
                }
                let len = j - i;
                for (p, r) in run[i..j].iter_mut().enumerate() {
                    let code = if len == 1 {
                        1
                    } else if p == 0 {
                        2
                    } else if p == len - 1 {
                        3
                    } else {
                        4
                    };
                    *r = code * 8 + len.min(5) as u8 + if titled { 64 } else { 0 };
                }
                i = j;
            }
        }
        // Per lowercase form: seen lowercase, seen title-case outside a headline, and how
        // often capitalised away from sentence start. One map, so one probe per token.
        #[derive(Default, Clone, Copy)]
        struct Seen {
            lowered: bool,
            titled: bool,
            capmid: u32,
        }
        let mut seen: IdMap<Seen> = IdMap::default();
        seen.reserve(n);
        for (i, t) in toks.iter().enumerate() {
            let lowered = t.flags & LOWER != 0;
            let cap = pos[i] & (SENTCAPS | TITLED) == 0 && t.is_cap();
            if !lowered && !cap {
                continue;
            }
            let e = seen.entry(t.lower).or_default();
            if lowered {
                e.lowered = true;
            }
            if cap {
                if t.flags & ALLCAPS == 0 {
                    e.titled = true;
                }
                if pos[i] & FIRST == 0 {
                    e.capmid += 1;
                }
            }
        }
        let mut doc = vec![0u8; n];
        for (i, t) in toks.iter().enumerate() {
            if !t.is_cap() {
                continue;
            }
            let e = seen.get(&t.lower).copied().unwrap_or_default();
            let mut d = 0;
            if e.lowered {
                d |= 1;
            }
            let own = u32::from(pos[i] & (SENTCAPS | TITLED | FIRST) == 0);
            if e.capmid > own {
                d |= 2;
            }
            if t.flags & ALLCAPS != 0 && e.titled {
                d |= 4;
            }
            doc[i] = d;
        }
        DocCtx {
            toks,
            sent_of,
            sents: sents.to_vec(),
            pos,
            gaz: gz,
            run,
            doc,
        }
    }

    /// The sentence range holding token `i`.
    pub(crate) fn sent_range(&self, i: usize) -> Range<usize> {
        self.sents[self.sent_of[i] as usize].clone()
    }
}

/// What the second stage knows from the first: its labels and how the same token and the
/// same entity string were labelled elsewhere in the document (Krishnan & Manning 2006).
#[derive(Debug, Clone, Default)]
pub(crate) struct Stack {
    /// First-stage BILOU label per token.
    labels: Vec<u8>,
    /// Majority first-stage type of the other occurrences of a capitalised token: 0..4 a
    /// type, 4 = outside, 5 = no other occurrence.
    tokmaj: Vec<u8>,
    /// For tokens inside a first-stage entity: 1 + majority type of the other occurrences
    /// of the same string, times 2 plus whether the token starts it; 0 otherwise.
    entmaj: Vec<u8>,
}

impl Stack {
    /// Builds the stacked facts from first-stage labels of the whole document.
    pub(crate) fn new(labels: Vec<u8>, ctx: &DocCtx) -> Self {
        let toks = &ctx.toks;
        let n = toks.len();
        let ty = |l: u8| parts(l as usize).map_or(4usize, |(t, _)| t);
        let mut counts: IdMap<[u32; 5]> = IdMap::default();
        counts.reserve(n);
        for (i, t) in toks.iter().enumerate() {
            if t.is_cap() {
                counts.entry(t.lower).or_default()[ty(labels[i])] += 1;
            }
        }
        let mut tokmaj = vec![5u8; n];
        for (i, t) in toks.iter().enumerate() {
            if !t.is_cap() {
                continue;
            }
            if let Some(c) = counts.get(&t.lower) {
                let mut c = *c;
                c[ty(labels[i])] -= 1;
                if c.iter().any(|&x| x > 0) {
                    tokmaj[i] = argmax(&c) as u8;
                }
            }
        }
        let mut entities: Vec<(TokenEntity, u64)> = Vec::new();
        for s in &ctx.sents {
            for e in crate::labels::decode(&labels[s.clone()]) {
                let r = e.tokens.start + s.start..e.tokens.end + s.start;
                let h = crate::gazetteer::phrase_hash(toks[r.clone()].iter().map(|t| t.lower));
                entities.push((
                    TokenEntity {
                        tokens: r,
                        ty: e.ty,
                    },
                    h,
                ));
            }
        }
        let mut ecounts: IdMap<[u32; 4]> = IdMap::default();
        for (e, h) in &entities {
            ecounts.entry(*h).or_default()[e.ty] += 1;
        }
        let mut entmaj = vec![0u8; n];
        for (e, h) in &entities {
            if let Some(c) = ecounts.get(h) {
                let mut c = *c;
                c[e.ty] -= 1;
                if c.iter().any(|&x| x > 0) {
                    let m = argmax(&c) as u8;
                    for i in e.tokens.clone() {
                        entmaj[i] = (1 + m) * 2 + u8::from(i == e.tokens.start);
                    }
                }
            }
        }
        Stack {
            labels,
            tokmaj,
            entmaj,
        }
    }
}

fn argmax(c: &[u32]) -> usize {
    let mut best = 0;
    for (i, &x) in c.iter().enumerate() {
        if x > c[best] {
            best = i;
        }
    }
    best
}

/// Receives a token's context features. Most of them take their value from a small set
/// (a list tag, a first-stage label), and the tagger resolves those through arrays filled
/// at load instead of hashing and probing per token; training just hashes everything.
/// Both go through [`context_with`], so the two cannot disagree about which features a
/// token has.
pub(crate) trait FeatureSink {
    /// A feature keyed by an arbitrary hash (word bigrams and the like).
    fn key(&mut self, key: u64);
    /// The feature [`small_key`]`(t, v)`, where `v` comes from a small set.
    fn small(&mut self, t: u64, v: u64);
    /// The bias feature, which every token has.
    fn bias(&mut self) {
        self.key(bias_key());
    }
}

/// The key of small-valued feature `v` of template `t`.
#[inline]
pub(crate) fn small_key(t: u64, v: u64) -> u64 {
    Fh::new(t).u64(v).finish()
}

/// The templates sent through [`FeatureSink::small`] and a bound on their values: every
/// value below the bound gets an array slot at load; larger ones (none occur) would be
/// hashed.
pub(crate) const SMALL: [(u64, u64); 9] = [
    (T_BOUND, 4),
    (T_GAZ, 3 * 64),
    (T_DOC, 16),
    (T_TDOC, 4),
    (T_RUN, 128),
    (T_S1, 3 * 256),
    (T_TOKMAJ, 8),
    (T_S1TM, 256),
    (T_ENTMAJ, 16),
];

/// Hashes every feature: the sink of training.
struct Hashing<F>(F);

impl<F: FnMut(u64)> FeatureSink for Hashing<F> {
    #[inline]
    fn key(&mut self, key: u64) {
        (self.0)(key);
    }
    #[inline]
    fn small(&mut self, t: u64, v: u64) {
        (self.0)(small_key(t, v));
    }
}

/// Calls `f` with every context feature of token `i`.
#[inline]
pub(crate) fn context(ctx: &DocCtx, i: usize, stack: Option<&Stack>, f: &mut impl FnMut(u64)) {
    let mut sink = Hashing(f);
    context_with(ctx, i, &mut sink);
    if let Some(st) = stack {
        stack_with(ctx, i, st, &mut sink);
    }
}

/// The key of the bias feature, which every token has.
pub(crate) fn bias_key() -> u64 {
    Fh::new(T_BIAS).finish()
}

/// Sends every first-stage context feature of token `i` to `f`.
#[inline(always)]
pub(crate) fn context_with(ctx: &DocCtx, i: usize, f: &mut impl FeatureSink) {
    let s = ctx.sent_range(i);
    let toks = &ctx.toks;
    let t = &toks[i];
    f.bias();
    for (k, d) in [(0u64, -2isize), (1, -1), (2, 1), (3, 2)] {
        let j = i as isize + d;
        if j < s.start as isize || j >= s.end as isize {
            f.small(T_BOUND, k);
        }
    }
    let (pl, ps) = if i > s.start {
        (toks[i - 1].lower, toks[i - 1].shape)
    } else {
        (0, 0)
    };
    let (nl, ns) = if i + 1 < s.end {
        (toks[i + 1].lower, toks[i + 1].shape)
    } else {
        (0, 0)
    };
    f.key(Fh::new(T_BIL).u64(pl).u64(t.lower).finish());
    f.key(Fh::new(T_BIR).u64(t.lower).u64(nl).finish());
    f.key(Fh::new(T_SHL).u64(ps).u64(t.shape).finish());
    f.key(Fh::new(T_SHR).u64(t.shape).u64(ns).finish());
    let pos = ctx.pos[i];
    if pos & FIRST != 0 {
        f.key(Fh::new(T_FIRST).u64(t.lower).finish());
    }
    if pos & SENTCAPS != 0 {
        f.key(Fh::new(T_CAPSENT).u64(t.lower).finish());
    }
    if pos & TITLED != 0 {
        f.key(Fh::new(T_TITLESENT).u64(t.lower).finish());
    }
    for (k, j) in [(0u64, i.wrapping_sub(1)), (1, i), (2, i + 1)] {
        if j < s.start || j >= s.end {
            continue;
        }
        // Most tokens are in no list.
        if ctx.gaz[j] == [0; NCAT] {
            continue;
        }
        for (c, &g) in ctx.gaz[j].iter().enumerate() {
            if g != 0 {
                f.small(T_GAZ, k * 64 + c as u64 * 4 + u64::from(g));
            }
        }
    }
    let d = ctx.doc[i];
    for b in 0..3 {
        if d & (1 << b) != 0 {
            // Title-Case lines get their own evidence weights; the old values keep theirs.
            if pos & TITLED != 0 {
                f.small(T_TDOC, b);
            } else {
                f.small(T_DOC, b * 4 + u64::from(pos));
            }
        }
    }
    if ctx.run[i] != 0 {
        f.small(T_RUN, u64::from(ctx.run[i]));
    }
}

/// Sends the stacked (second-stage) features of token `i` to `f`, in the order training
/// has always seen them.
#[inline(always)]
pub(crate) fn stack_with(ctx: &DocCtx, i: usize, st: &Stack, f: &mut impl FeatureSink) {
    let v = stack_values(ctx, i, st);
    stack_label(0, v.prev, f);
    stack_label(1, v.cur, f);
    stack_label(2, v.next, f);
    stack_tokmaj(v.cur, v.tokmaj, f);
    stack_entmaj(v.entmaj, f);
}

/// What the stacked features of one token are built from. The tagger sums their weights
/// per value at load (see `model.rs`), so these few numbers are all it reads per token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StackValues {
    /// First-stage label of the previous token, [`NO_LABEL`] at sentence start.
    pub(crate) prev: u8,
    /// First-stage label of the token.
    pub(crate) cur: u8,
    /// First-stage label of the next token, [`NO_LABEL`] at sentence end.
    pub(crate) next: u8,
    /// Majority first-stage type of the token's other occurrences (see [`Stack`]).
    pub(crate) tokmaj: u8,
    /// Majority type of the token's entity string elsewhere (see [`Stack`]).
    pub(crate) entmaj: u8,
}

/// The label value of a neighbour outside the sentence.
pub(crate) const NO_LABEL: u8 = 255;

/// The stacked values of token `i`.
#[inline(always)]
pub(crate) fn stack_values(ctx: &DocCtx, i: usize, st: &Stack) -> StackValues {
    let s = ctx.sent_range(i);
    let at = |j: usize| {
        if j < s.start || j >= s.end {
            NO_LABEL
        } else {
            st.labels[j]
        }
    };
    StackValues {
        prev: at(i.wrapping_sub(1)),
        cur: st.labels[i],
        next: at(i + 1),
        tokmaj: st.tokmaj[i],
        entmaj: st.entmaj[i],
    }
}

/// The first-stage label `l` of the token at offset `k` (0 previous, 1 own, 2 next).
#[inline(always)]
pub(crate) fn stack_label(k: u64, l: u8, f: &mut impl FeatureSink) {
    f.small(T_S1, k * 256 + u64::from(l));
}

/// The token's majority type elsewhere, alone and with its own first-stage label `cur`.
#[inline(always)]
pub(crate) fn stack_tokmaj(cur: u8, tokmaj: u8, f: &mut impl FeatureSink) {
    f.small(T_TOKMAJ, u64::from(tokmaj));
    f.small(T_S1TM, u64::from(cur) * 8 + u64::from(tokmaj));
}

/// The majority type of the token's entity string elsewhere, when there is one.
#[inline(always)]
pub(crate) fn stack_entmaj(entmaj: u8, f: &mut impl FeatureSink) {
    if entmaj != 0 {
        f.small(T_ENTMAJ, u64::from(entmaj));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_lines_are_told_from_sentences_and_headlines() {
        let pos = |line: &str| {
            let words: Vec<&str> = line.split(' ').collect();
            let whole_line = 0..words.len();
            let ctx = DocCtx::new(
                &words,
                std::slice::from_ref(&whole_line),
                &Gazetteer::default(),
            );
            ctx.pos[1]
        };
        assert_eq!(pos("Google Launches Native Gmail App For iPhone"), TITLED);
        assert_eq!(
            pos("Nokia Strikes Supplier Deal With ST-Ericsson for Handsets"),
            TITLED
        );
        assert_eq!(pos("GOOGLE LAUNCHES NATIVE GMAIL APP"), SENTCAPS);
        assert_eq!(pos("Google said on Tuesday it launched an app"), 0);
        assert_eq!(pos("Peter Blackburn of Germany spoke to reporters ."), 0);
    }

    #[test]
    fn ascii_token_facts_match_the_general_path() {
        for w in [
            "Blackburn",
            "BRUSSELS",
            "1996-08-22",
            "U.S.",
            "McDonald's",
            "a",
            "A",
            "AB",
            "x1",
            "--",
            "$",
            "3.5",
            "Xx",
            "aBc",
            "I",
            "",
        ] {
            let (a, g) = (Tok::ascii(w), Tok::general(w));
            assert_eq!(
                (a.word, a.lower, a.shape, a.flags),
                (g.word, g.lower, g.shape, g.flags),
                "{w:?}"
            );
        }
    }
}
