//! The trained model: quantised weights, the word-type score cache, Viterbi decoding, and
//! the binary file format.
//!
//! File format (little-endian), chosen to load with one pass and no parsing library:
//! magic `NFNER003`, then the gazetteer (phrase hash, list mask), the word clusters (lower
//! hash, path), the vocabulary (words whose scores are cached at load), the stages' scales
//! and transition, start and end scores, and the feature rows: a key, then for each stage
//! only its non-zero label weights as `i16`. One row list serves both stages, so loading
//! needs no key merging.

use std::ops::Range;

use crate::features::{
    bias_key, cluster_key, context_with, flags_key, len_key, offset_key, small_key, stack_entmaj,
    stack_label, stack_tokmaj, stack_values, stack_with, word_bases_with, DocCtx, FeatureSink,
    Stack, Tok, WordSink, CLUSTER_BITS, CLUSTER_DEPTHS, FLAG_VALUES, LEN_VALUES, NOFF, NO_LABEL,
    SMALL, WINDOW,
};
use crate::gazetteer::Gazetteer;
use crate::hash::{IdMap, KeyTable};
use crate::labels::{allowed, allowed_end, NL};
use crate::TaggerError;

const MAGIC: &[u8; 8] = b"NFNER003";
/// Score given to transitions the tag set forbids (I after O, ...). Large enough that no
/// path through one is ever chosen, small enough that sums cannot overflow an `i32` because
/// scores are renormalised at every token.
const FORBIDDEN: i32 = -(1 << 26);

/// Float weights of one stage, as training produces them.
#[derive(Debug, Clone, Default)]
pub(crate) struct StageWeights {
    /// Feature keys, one per row.
    pub(crate) keys: Vec<u64>,
    /// `keys.len() * NL` weights.
    pub(crate) w: Vec<f32>,
    /// `NL * NL` transition weights, `prev * NL + cur`.
    pub(crate) trans: Vec<f32>,
    /// Weights of the first label of a sentence.
    pub(crate) start: Vec<f32>,
    /// Weights of the last label of a sentence.
    pub(crate) end: Vec<f32>,
}

/// One decoding stage with integer weights over the model's shared feature rows.
#[derive(Debug, Clone, Default)]
struct Stage {
    trans: Vec<i32>,
    start: Vec<i32>,
    end: Vec<i32>,
    /// Integer units per float unit, to turn margins back into comparable numbers.
    scale: f32,
    /// `trans` from each CLOSED label (outer index) to each OPENING label (inner index),
    /// padded to 16 lanes: the forward pass broadcasts one previous score and takes the
    /// maximum over all opening labels at once, two AVX2 vectors wide.
    closed_to_opening: [[i32; 16]; 9],
}

/// The whole model. The stages share one feature table: the second stage sees the first
/// stage's features plus a few stacked ones, so one lookup serves both.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    pub(crate) gaz: Gazetteer,
    pub(crate) clusters: IdMap<u32>,
    vocab_words: Vec<String>,
    vocab: IdMap<u32>,
    /// Feature key to shared row.
    table: KeyTable,
    /// The keys in row order, kept to write the model back out.
    keys: Vec<u64>,
    stages: Vec<Stage>,
    /// `[row][stage][label]`: both stages' weights of a feature sit side by side, so the
    /// second stage finds its row in the cache line the first stage already loaded.
    weights: Vec<i16>,
    /// Summed word-feature scores per vocabulary word: `[word][offset][stage][label]`, so
    /// one offset's scores for every stage are one contiguous add. Stored as `i16` for
    /// the words whose sums all fit (nearly all), which halves the bytes every token
    /// reads; `vocab` marks the others with `WIDE`, and their sums are in `wide`.
    cache: Vec<i16>,
    /// Summed word-feature scores of the vocabulary words whose sums overflow `i16`.
    wide: Vec<i32>,
    /// Rows of the small-valued context features ([`SMALL`]), `NO_ROW` where the model has
    /// none: tagging indexes these instead of hashing and probing the feature table.
    small: Vec<u32>,
    /// Where each template's values start in `small`, and how many there are, by template
    /// id.
    small_span: [(u32, u32); SMALL_TEMPLATES],
    /// Row of the bias feature, which every token has.
    bias_row: u32,
    /// Summed scores (`[offset][stage][label]`, like the cache) of each value of the
    /// low-variety word features, so a word outside the vocabulary adds a block per
    /// feature instead of hashing and probing five offsets: by flags value,
    flag_sums: Vec<i32>,
    /// by length,
    len_sums: Vec<i32>,
    /// by the leading `CLUSTER_BITS` of the cluster path (empty without clusters),
    cluster_sums: Vec<i32>,
    /// and by shape, for the shapes of the vocabulary's words (`shape_ids` indexes
    /// `shape_sums`); rarer shapes are looked up feature by feature.
    shape_ids: IdMap<u32>,
    shape_sums: Vec<i32>,
    /// Summed stacked-feature scores per stage and value, `[stage][value][label]`, so
    /// the second stage adds four vectors per token instead of finding six rows: by the
    /// previous token's first-stage label (`NL` = none),
    stack_prev: Vec<i32>,
    /// by the next token's first-stage label (`NL` = none),
    stack_next: Vec<i32>,
    /// by the token's own label and majority type (`label * TOKMAJ_VALUES + tokmaj`),
    stack_cur: Vec<i32>,
    /// and by the entity-string majority.
    stack_ent: Vec<i32>,
    /// Divides the final stage's float scores before they become forward-backward
    /// potentials; fitted on dev data so span marginals are calibrated probabilities.
    pub(crate) temperature: f32,
    /// The final stage's potentials at `temperature`, computed once at load.
    lattice: Option<Box<Lattice>>,
}

/// Values of the stacked majority type (`Stack::tokmaj`: four types, outside, none).
const TOKMAJ_VALUES: usize = 6;
/// Values of the stacked entity-string majority (`Stack::entmaj`), with room to spare.
const ENTMAJ_VALUES: usize = 16;

/// Template ids are below this bound (see `features.rs`).
const SMALL_TEMPLATES: usize = 32;
/// Marks a feature value the model has no row for.
const NO_ROW: u32 = u32::MAX;

/// Labels and confidences of a document's tokens.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prediction {
    /// BILOU label per token.
    pub(crate) labels: Vec<u8>,
    /// Float margin of the chosen label's emission over the best other label.
    pub(crate) margin: Vec<f32>,
    /// For each token inside an entity, the entity's span marginal: the probability,
    /// under the final stage's lattice at the model's temperature, that exactly this span
    /// carries exactly this type. 0 outside entities.
    pub(crate) prob: Vec<f32>,
}

/// Default temperature of a model file that stores none (written before calibration):
/// in float perceptron units, the scale at which margins of a few units mean confidence.
pub(crate) const DEFAULT_TEMPERATURE: f32 = 1.0;
/// Marks the optional calibration section at the end of a model file.
const CALIBRATION_TAG: &[u8; 4] = b"CAL1";

impl Model {
    /// Adds stage `si`'s weights of row `r` to `out`.
    #[inline(always)]
    fn add_row(&self, si: usize, r: usize, out: &mut [i32]) {
        let at = (r * self.stages.len() + si) * NL;
        add_i16(out, &self.weights[at..at + NL]);
    }

    /// The row of small-valued feature `v` of template `t`, from the array filled at load.
    #[inline(always)]
    fn small_row(&self, t: u64, v: u64) -> Option<usize> {
        let (at, len) = self.small_span[t as usize % SMALL_TEMPLATES];
        if v < u64::from(len) {
            let r = self.small[at as usize + v as usize];
            (r != NO_ROW).then_some(r as usize)
        } else {
            self.table.get(small_key(t, v))
        }
    }

    /// Builds a model from trained float weights, quantising them to `i16`.
    pub(crate) fn from_parts(
        gaz: Gazetteer,
        clusters: IdMap<u32>,
        vocab_words: Vec<String>,
        stages: &[StageWeights],
    ) -> Self {
        let mut m = Model {
            gaz,
            clusters,
            vocab_words,
            temperature: DEFAULT_TEMPERATURE,
            ..Model::default()
        };
        let mut sparse: Vec<Vec<(u64, [i16; NL])>> = Vec::new();
        let mut scales = Vec::new();
        for sw in stages {
            let max =
                sw.w.iter()
                    .chain(&sw.trans)
                    .fold(0f32, |a, &x| a.max(x.abs()))
                    .max(1e-6);
            // Leave headroom below i16::MAX so rounding cannot overflow.
            let scale = 32000.0 / max;
            let q = |x: f32| (x * scale).round() as i32;
            let mut rows = Vec::new();
            for (r, &k) in sw.keys.iter().enumerate() {
                let mut row = [0i16; NL];
                for (o, &x) in row.iter_mut().zip(&sw.w[r * NL..r * NL + NL]) {
                    *o = q(x) as i16;
                }
                if row.iter().any(|&x| x != 0) {
                    rows.push((k, row));
                }
            }
            sparse.push(rows);
            scales.push(scale);
            m.stages.push(Stage {
                trans: sw.trans.iter().map(|&x| q(x)).collect(),
                start: sw.start.iter().map(|&x| q(x)).collect(),
                end: sw.end.iter().map(|&x| q(x)).collect(),
                scale,
                closed_to_opening: [[0; 16]; 9],
            });
        }
        m.set_rows(sparse);
        m.finish();
        m
    }

    /// Builds the shared feature table from each stage's sparse rows.
    fn set_rows(&mut self, sparse: Vec<Vec<(u64, [i16; NL])>>) {
        let mut ids: IdMap<u32> = IdMap::default();
        for rows in &sparse {
            for (k, _) in rows {
                if !ids.contains_key(k) {
                    ids.insert(*k, self.keys.len() as u32);
                    self.keys.push(*k);
                }
            }
        }
        let ns = sparse.len();
        self.weights = vec![0; self.keys.len() * ns * NL];
        for (si, rows) in sparse.into_iter().enumerate() {
            for (k, row) in rows {
                let at = (ids[&k] as usize * ns + si) * NL;
                self.weights[at..at + NL].copy_from_slice(&row);
            }
        }
        self.table = KeyTable::new(&self.keys);
    }

    /// Applies tag-set constraints and fills the word cache; run after building or loading.
    fn finish(&mut self) {
        for s in &mut self.stages {
            for p in 0..NL {
                for c in 0..NL {
                    if !allowed(Some(p), c) {
                        s.trans[p * NL + c] = FORBIDDEN;
                    }
                }
            }
            for (ci, &c) in OPENING.iter().enumerate() {
                for (pi, &p) in CLOSED.iter().enumerate() {
                    s.closed_to_opening[pi][ci] = s.trans[p * NL + c];
                }
            }
            for l in 0..NL {
                if !allowed(None, l) {
                    s.start[l] = FORBIDDEN;
                }
                if !allowed_end(l) {
                    s.end[l] = FORBIDDEN;
                }
            }
        }
        self.lattice = self
            .stages
            .last()
            .map(|s| Box::new(Lattice::new(s, self.temperature)));
        self.small.clear();
        self.small_span = [(0, 0); SMALL_TEMPLATES];
        for (t, n) in SMALL {
            self.small_span[t as usize] = (self.small.len() as u32, n as u32);
            for v in 0..n {
                let r = self.table.get(small_key(t, v));
                self.small.push(r.map_or(NO_ROW, |r| r as u32));
            }
        }
        self.bias_row = self.table.get(bias_key()).map_or(NO_ROW, |r| r as u32);
        self.fill_word_sums();
        self.fill_stack_sums();
        let ns = self.stages.len();
        let per_word = ns * NOFF * NL;
        self.vocab = IdMap::default();
        self.vocab.reserve(self.vocab_words.len());
        let mut full = vec![0; self.vocab_words.len() * per_word];
        fill_cache(self, &mut full);
        let mut cache: Vec<i16> = Vec::with_capacity(full.len());
        let mut wide: Vec<i32> = Vec::new();
        if per_word > 0 {
            for (w, sums) in self.vocab_words.iter().zip(full.chunks_exact(per_word)) {
                let fits = sums.iter().all(|&x| x == i32::from(x as i16));
                let id = if fits {
                    cache.extend(sums.iter().map(|&x| x as i16));
                    (cache.len() / per_word - 1) as u32
                } else {
                    wide.extend_from_slice(sums);
                    WIDE | (wide.len() / per_word - 1) as u32
                };
                self.vocab.insert(crate::features::word_key(w), id);
            }
        }
        self.cache = cache;
        self.wide = wide;
    }

    /// Labels a document of `words` split into `sents` (token index ranges), with span
    /// marginals at `temperature`.
    pub(crate) fn predict(
        &self,
        words: &[&str],
        sents: &[Range<usize>],
        temperature: f32,
    ) -> Prediction {
        let n = words.len();
        let mut pred = Prediction {
            labels: vec![0; n],
            margin: vec![0.0; n],
            prob: vec![0.0; n],
        };
        if n == 0 || self.stages.is_empty() {
            return pred;
        }
        let ctx = DocCtx::new(words, sents, &self.gaz);
        // The potentials at the model's own temperature are ready; another (while fitting
        // it) costs a few hundred `exp` per document.
        let own = self
            .lattice
            .as_deref()
            .filter(|_| temperature == self.temperature);
        let other;
        let lattice = match (own, self.stages.last()) {
            (Some(l), _) => l,
            (None, Some(stage)) => {
                other = Lattice::new(stage, temperature);
                &other
            }
            (None, None) => return pred,
        };
        decode_doc(self, words, &ctx, sents, lattice, &mut pred);
        pred
    }

    /// Word-feature scores of `w` for every offset and stage, into `out`
    /// (`[offset][stage][label]`).
    #[inline(always)]
    fn word_scores(&self, w: &str, tok: &Tok, cluster: Option<u32>, out: &mut [i32]) {
        word_bases_with(w, tok, cluster, &mut WordRows { model: self, out });
    }

    /// Adds the scores of word feature `b` at each offset it is seen at to `out`
    /// (`[offset][stage][label]`).
    #[inline(always)]
    fn add_base(&self, b: u64, windowed: bool, out: &mut [i32]) {
        let ns = self.stages.len();
        for k in 0..NOFF {
            if windowed || k == WINDOW {
                if let Some(r) = self.table.get(offset_key(b, k)) {
                    for si in 0..ns {
                        let o = (k * ns + si) * NL;
                        self.add_row(si, r, &mut out[o..o + NL]);
                    }
                }
            }
        }
    }

    /// Fills the per-value sums of the stacked features.
    fn fill_stack_sums(&mut self) {
        let ns = self.stages.len();
        let mut prev = vec![0; ns * (NL + 1) * NL];
        let mut next = vec![0; ns * (NL + 1) * NL];
        let mut cur = vec![0; ns * NL * TOKMAJ_VALUES * NL];
        let mut ent = vec![0; ns * ENTMAJ_VALUES * NL];
        for si in 0..ns {
            for v in 0..=NL {
                let l = if v == NL { NO_LABEL } else { v as u8 };
                let o = label_row(si * (NL + 1) + v);
                stack_label(0, l, &mut AddRows::new(self, si, &mut prev[o.clone()]));
                stack_label(2, l, &mut AddRows::new(self, si, &mut next[o]));
            }
            for l in 0..NL {
                for tm in 0..TOKMAJ_VALUES {
                    let o = label_row((si * NL + l) * TOKMAJ_VALUES + tm);
                    let mut out = AddRows::new(self, si, &mut cur[o]);
                    stack_label(1, l as u8, &mut out);
                    stack_tokmaj(l as u8, tm as u8, &mut out);
                }
            }
            for e in 0..ENTMAJ_VALUES {
                let o = label_row(si * ENTMAJ_VALUES + e);
                stack_entmaj(e as u8, &mut AddRows::new(self, si, &mut ent[o]));
            }
        }
        self.stack_prev = prev;
        self.stack_next = next;
        self.stack_cur = cur;
        self.stack_ent = ent;
    }

    /// Adds stage `si`'s stacked-feature scores of token `t` to `row`.
    #[inline(always)]
    fn add_stacked(&self, ctx: &DocCtx, t: usize, st: &Stack, si: usize, row: &mut [i32]) {
        let v = stack_values(ctx, t, st);
        let side = |l: u8| if l == NO_LABEL { NL } else { usize::from(l) };
        let (p, n) = (side(v.prev), side(v.next));
        let (c, tm, e) = (
            usize::from(v.cur),
            usize::from(v.tokmaj),
            usize::from(v.entmaj),
        );
        if p <= NL && n <= NL && c < NL && tm < TOKMAJ_VALUES && e < ENTMAJ_VALUES {
            add_row_of(row, &self.stack_prev[label_row(si * (NL + 1) + p)]);
            add_row_of(row, &self.stack_next[label_row(si * (NL + 1) + n)]);
            add_row_of(
                row,
                &self.stack_cur[label_row((si * NL + c) * TOKMAJ_VALUES + tm)],
            );
            add_row_of(row, &self.stack_ent[label_row(si * ENTMAJ_VALUES + e)]);
        } else {
            // Values the tables do not cover (none occur): the features one by one.
            stack_with(
                ctx,
                t,
                st,
                &mut AddRows {
                    model: self,
                    first: si,
                    out: row,
                },
            );
        }
    }

    /// Fills the per-value sums of the low-variety word features; run before the cache,
    /// which uses them.
    fn fill_word_sums(&mut self) {
        let per_word = self.stages.len() * NOFF * NL;
        if per_word == 0 {
            return;
        }
        let mut flag_sums = vec![0; FLAG_VALUES * per_word];
        for (v, out) in flag_sums.chunks_exact_mut(per_word).enumerate() {
            self.add_base(flags_key(v as u8), true, out);
        }
        let mut len_sums = vec![0; LEN_VALUES * per_word];
        for (v, out) in len_sums.chunks_exact_mut(per_word).enumerate() {
            self.add_base(len_key(v as u64), false, out);
        }
        let mut cluster_sums = Vec::new();
        if !self.clusters.is_empty() {
            cluster_sums = vec![0; (1 << CLUSTER_BITS) * per_word];
            for (v, out) in cluster_sums.chunks_exact_mut(per_word).enumerate() {
                let c = (v as u32) << (32 - CLUSTER_BITS);
                for depth in CLUSTER_DEPTHS {
                    self.add_base(cluster_key(depth, c), true, out);
                }
            }
        }
        let mut shape_ids: IdMap<u32> = IdMap::default();
        let mut shape_sums = Vec::new();
        for w in &self.vocab_words {
            let shape = Tok::new(w).shape;
            if shape_ids.contains_key(&shape) {
                continue;
            }
            shape_ids.insert(shape, shape_ids.len() as u32);
            let at = shape_sums.len();
            shape_sums.resize(at + per_word, 0);
            self.add_base(shape, true, &mut shape_sums[at..]);
        }
        self.flag_sums = flag_sums;
        self.len_sums = len_sums;
        self.cluster_sums = cluster_sums;
        self.shape_ids = shape_ids;
        self.shape_sums = shape_sums;
    }

    /// Where each token's word-feature scores are (`src`: a vocabulary index, or with
    /// `UNKNOWN` an index into `unknown`), computing them once per document for words
    /// outside the vocabulary.
    #[inline(always)]
    fn word_sources(&self, words: &[&str], ctx: &DocCtx) -> (Vec<u32>, Vec<i32>) {
        let ns = self.stages.len();
        let width = ns * NL;
        let per_word = NOFF * width;
        let n = ctx.toks.len();
        let mut src: Vec<u32> = Vec::with_capacity(n);
        let mut unknown: Vec<i32> = Vec::new();
        // An unknown word often recurs in its article (a name, a headline word): its
        // scores are computed once.
        let mut seen: IdMap<u32> = IdMap::default();
        seen.reserve(n / 2);
        unknown.reserve(n / 2 * per_word);
        for (t, tok) in ctx.toks.iter().enumerate() {
            if let Some(&v) = self.vocab.get(&tok.word) {
                src.push(v);
            } else if let Some(&u) = seen.get(&tok.word) {
                src.push(UNKNOWN | u);
            } else {
                let at = unknown.len();
                unknown.resize(at + per_word, 0);
                let cluster = self.clusters.get(&tok.lower).copied();
                self.word_scores(words[t], tok, cluster, &mut unknown[at..]);
                let u = (at / per_word) as u32;
                seen.insert(tok.word, u);
                src.push(UNKNOWN | u);
            }
        }
        (src, unknown)
    }

    /// Every stage's emission scores of sentence `s` without the stacked features go to
    /// `base` (`[token][stage][label]`), in two parts: the word features' window sums
    /// (here) and the context features ([`Model::context_sums`]). The stages share these,
    /// so they are summed once per token rather than once per stage.
    #[inline(always)]
    fn window_sums(&self, s: Range<usize>, src: &[u32], unknown: &[i32], base: &mut [i32]) {
        let ns = self.stages.len();
        let width = ns * NL;
        let per_word = NOFF * width;
        for j in s.clone() {
            // The word at position j is seen at offset k - WINDOW by token
            // j - (k - WINDOW).
            let v = src[j];
            let from = (v & !(UNKNOWN | WIDE)) as usize * per_word;
            let to = from + per_word;
            if v & UNKNOWN != 0 {
                add_window(&unknown[from..to], j, s.clone(), ns, base);
            } else if v & WIDE != 0 {
                add_window(&self.wide[from..to], j, s.clone(), ns, base);
            } else {
                add_window(&self.cache[from..to], j, s.clone(), ns, base);
            }
        }
    }

    /// [`Model::window_sums`] for a sentence whose rows `base` does not hold yet (it ends
    /// at the sentence's start): each row is summed from the words around it and appended
    /// once, rather than zeroed and then added to from each of the five words that see
    /// it. Integer sums, so the order does not change a bit of them.
    #[inline(always)]
    fn window_rows(&self, s: Range<usize>, src: &[u32], unknown: &[i32], base: &mut Vec<i32>) {
        let ns = self.stages.len();
        let width = ns * NL;
        let per_word = NOFF * width;
        for i in s.clone() {
            let mut row = [0i32; MAX_ROW_STAGES * NL];
            let row = &mut row[..width];
            for k in 0..NOFF {
                // Token i sees the word j = i + k - WINDOW at offset k.
                let j = (i + k).wrapping_sub(WINDOW);
                if j < s.start || j >= s.end {
                    continue;
                }
                let v = src[j];
                let at = (v & !(UNKNOWN | WIDE)) as usize * per_word + k * width;
                for si in 0..ns {
                    let out = &mut row[si * NL..si * NL + NL];
                    let w = at + si * NL..at + si * NL + NL;
                    if v & UNKNOWN != 0 {
                        add_row_of(out, &unknown[w]);
                    } else if v & WIDE != 0 {
                        add_row_of(out, &self.wide[w]);
                    } else {
                        add_row_of(out, &self.cache[w]);
                    }
                }
            }
            base.extend_from_slice(row);
        }
    }

    /// Adds each token's context feature rows to `base`.
    #[inline(always)]
    fn context_sums(&self, ctx: &DocCtx, s: Range<usize>, base: &mut [i32]) {
        let width = self.stages.len() * NL;
        for t in s {
            let mut sink = AddRows {
                model: self,
                first: 0,
                out: &mut base[t * width..(t + 1) * width],
            };
            context_with(ctx, t, &mut sink);
        }
    }

    /// Stage `si`'s emissions of sentence `s` into `em`: the base scores plus, after the
    /// first stage, the stacked features.
    #[inline(always)]
    fn stack_sums(
        &self,
        ctx: &DocCtx,
        s: Range<usize>,
        si: usize,
        stack: Option<&Stack>,
        base: &[i32],
        em: &mut [i32],
    ) {
        let width = self.stages.len() * NL;
        for (i, t) in s.enumerate() {
            let row = &mut em[i * NL..i * NL + NL];
            row.copy_from_slice(&base[t * width + si * NL..t * width + si * NL + NL]);
            if let Some(st) = stack {
                self.add_stacked(ctx, t, st, si, row);
            }
        }
    }

    /// Decodes a whole document: base scores once, then each stage's Viterbi, the second
    /// seeing the first one's labels.
    #[inline(always)]
    fn decode_doc(
        &self,
        words: &[&str],
        ctx: &DocCtx,
        sents: &[Range<usize>],
        lattice: &Lattice,
        pred: &mut Prediction,
    ) {
        let n = pred.labels.len();
        let ns = self.stages.len();
        let width = ns * NL;
        // Grown sentence by sentence as its rows are summed, so that region is in cache
        // when the first stage decodes it; the second stage reads it again.
        let mut base: Vec<i32> = Vec::with_capacity(n * width);
        let (src, unknown) = self.word_sources(words, ctx);
        let longest = sents.iter().map(|s| s.len()).max().unwrap_or(0);
        let mut em = vec![0i32; longest * NL];
        let mut scores = vec![0i32; longest * NL];
        let mut stack: Option<Stack> = None;
        let mut fb = ForwardBackward::default();
        for (si, stage) in self.stages.iter().enumerate() {
            let last = si + 1 == ns;
            for s in sents {
                let s = s.start.min(n)..s.end.min(n);
                if s.is_empty() {
                    continue;
                }
                if si == 0 {
                    // Base scores sentence by sentence, so the first stage decodes them
                    // while they are still in cache. Sentences partition the tokens in
                    // order, so `base` ends where this one starts.
                    if base.len() == s.start * width && ns <= MAX_ROW_STAGES {
                        self.window_rows(s.clone(), &src, &unknown, &mut base);
                    } else {
                        if base.len() < s.end * width {
                            base.resize(s.end * width, 0);
                        }
                        self.window_sums(s.clone(), &src, &unknown, &mut base);
                    }
                    self.context_sums(ctx, s.clone(), &mut base);
                }
                let em = &mut em[..s.len() * NL];
                self.stack_sums(ctx, s.clone(), si, stack.as_ref(), &base, em);
                viterbi(stage, em, &mut scores, &mut pred.labels[s.clone()]);
                if !last {
                    continue;
                }
                fb.span_probs(
                    lattice,
                    em,
                    &pred.labels[s.clone()],
                    &mut pred.prob[s.clone()],
                );
                for (i, t) in s.clone().enumerate() {
                    let row = &em[i * NL..i * NL + NL];
                    let l = pred.labels[t] as usize;
                    if l == 0 {
                        continue;
                    }
                    let other = (0..NL)
                        .filter(|&x| x != l)
                        .map(|x| row[x])
                        .max()
                        .unwrap_or(0);
                    pred.margin[t] = (row[l] - other) as f32 / stage.scale;
                }
            }
            if !last {
                stack = Some(Stack::new(pred.labels.clone(), ctx));
            }
        }
    }

    /// Serialises the model, storing `temperature` as its calibration.
    pub(crate) fn to_bytes(&self, temperature: f32) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        let mut gaz: Vec<(&u64, &u16)> = self.gaz.phrases.iter().collect();
        gaz.sort();
        put_u32(&mut out, gaz.len() as u32);
        for (k, m) in gaz {
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&m.to_le_bytes());
        }
        let mut cl: Vec<(&u64, &u32)> = self.clusters.iter().collect();
        cl.sort();
        put_u32(&mut out, cl.len() as u32);
        for (k, c) in cl {
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&c.to_le_bytes());
        }
        put_u32(&mut out, self.vocab_words.len() as u32);
        for w in &self.vocab_words {
            let b = w.as_bytes();
            let len = b.len().min(255);
            out.push(len as u8);
            out.extend_from_slice(&b[..len]);
        }
        put_u32(&mut out, self.stages.len() as u32);
        for s in &self.stages {
            out.extend_from_slice(&s.scale.to_le_bytes());
            for v in s.trans.iter().chain(&s.start).chain(&s.end) {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        put_u32(&mut out, self.keys.len() as u32);
        for (r, k) in self.keys.iter().enumerate() {
            out.extend_from_slice(&k.to_le_bytes());
            for si in 0..self.stages.len() {
                let at = (r * self.stages.len() + si) * NL;
                let row = &self.weights[at..at + NL];
                out.push(row.iter().filter(|&&x| x != 0).count() as u8);
                for (l, &x) in row.iter().enumerate() {
                    if x != 0 {
                        out.push(l as u8);
                        out.extend_from_slice(&x.to_le_bytes());
                    }
                }
            }
        }
        out.extend_from_slice(CALIBRATION_TAG);
        out.extend_from_slice(&temperature.to_le_bytes());
        out
    }

    /// Reads a model written by [`Model::to_bytes`].
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, TaggerError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err(TaggerError::Format(
                "not a newsflow tagger model (bad magic)".into(),
            ));
        }
        let mut m = Model::default();
        let n = r.u32()? as usize;
        m.gaz.phrases.reserve(n);
        for _ in 0..n {
            let k = r.u64()?;
            let mask = r.u16()?;
            m.gaz.phrases.insert(k, mask);
        }
        let n = r.u32()? as usize;
        for _ in 0..n {
            let k = r.u64()?;
            let c = r.u32()?;
            m.clusters.insert(k, c);
        }
        let n = r.u32()? as usize;
        for _ in 0..n {
            let len = r.take(1)?[0] as usize;
            let w = std::str::from_utf8(r.take(len)?)
                .map_err(|_| TaggerError::Format("vocabulary word is not UTF-8".into()))?;
            m.vocab_words.push(w.to_string());
        }
        let nstages = r.u32()? as usize;
        if nstages > 4 {
            return Err(TaggerError::Format(format!(
                "{nstages} stages; at most 4 expected"
            )));
        }
        for _ in 0..nstages {
            let scale = f32::from_le_bytes(arr(r.take(4)?));
            let mut ints = Vec::with_capacity(NL * NL + 2 * NL);
            for _ in 0..NL * NL + 2 * NL {
                ints.push(r.u32()? as i32);
            }
            m.stages.push(Stage {
                trans: ints[..NL * NL].to_vec(),
                start: ints[NL * NL..NL * NL + NL].to_vec(),
                end: ints[NL * NL + NL..].to_vec(),
                scale,
                closed_to_opening: [[0; 16]; 9],
            });
        }
        let n = r.u32()? as usize;
        // Each row takes at least 8 + nstages bytes, which bounds a corrupt count.
        let n = n.min(bytes.len() / (8 + nstages.max(1)));
        m.keys = Vec::with_capacity(n);
        m.weights = vec![0; n * nstages * NL];
        for row in 0..n {
            m.keys.push(r.u64()?);
            for si in 0..nstages {
                let cnt = r.take(1)?[0] as usize;
                for _ in 0..cnt {
                    let l = r.take(1)?[0] as usize;
                    let x = r.u16()? as i16;
                    if l >= NL {
                        return Err(TaggerError::Format(format!("label {l} out of range")));
                    }
                    m.weights[(row * nstages + si) * NL + l] = x;
                }
            }
        }
        // Optional, so files written before calibration still load (at the default).
        m.temperature = DEFAULT_TEMPERATURE;
        if r.at < bytes.len() {
            if r.take(4)? != CALIBRATION_TAG {
                return Err(TaggerError::Format("unknown section after the rows".into()));
            }
            m.temperature = f32::from_le_bytes(arr(r.take(4)?));
        }
        m.table = KeyTable::new(&m.keys);
        m.finish();
        Ok(m)
    }

    /// Number of stages (1 without stacking, 2 with).
    pub(crate) fn stage_count(&self) -> usize {
        self.stages.len()
    }
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn arr<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[..N]);
    a
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TaggerError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                TaggerError::Format(format!(
                    "model truncated at byte {} of {}",
                    self.at,
                    self.bytes.len()
                ))
            })?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u16(&mut self) -> Result<u16, TaggerError> {
        Ok(u16::from_le_bytes(arr(self.take(2)?)))
    }
    fn u32(&mut self) -> Result<u32, TaggerError> {
        Ok(u32::from_le_bytes(arr(self.take(4)?)))
    }
    fn u64(&mut self) -> Result<u64, TaggerError> {
        Ok(u64::from_le_bytes(arr(self.take(8)?)))
    }
}

/// `out += w` over one label row. Fixed-size arrays let the compiler vectorise the add.
#[inline(always)]
fn add_i16(out: &mut [i32], w: &[i16]) {
    if let (Ok(out), Ok(w)) = (<&mut [i32; NL]>::try_from(out), <&[i16; NL]>::try_from(w)) {
        for l in 0..NL {
            out[l] += i32::from(w[l]);
        }
    }
}

/// `out += w` over one label row of summed scores (`i16` or `i32`).
#[inline(always)]
fn add_row_of<T: Copy>(out: &mut [i32], w: &[T])
where
    i32: From<T>,
{
    if let (Ok(out), Ok(w)) = (<&mut [i32; NL]>::try_from(out), <&[T; NL]>::try_from(w)) {
        for l in 0..NL {
            out[l] += i32::from(w[l]);
        }
    }
}

/// The elements of row `i` of a `[row][label]` table.
#[inline(always)]
fn label_row(i: usize) -> Range<usize> {
    i * NL..i * NL + NL
}

/// Adds the word scores `w` (`[offset][stage][label]`) of the word at position `j` of
/// sentence `s` to the base scores of the tokens that see it: the token at `i` sees it at
/// offset `j - i + WINDOW`.
#[inline(always)]
fn add_window<T: Copy>(w: &[T], j: usize, s: Range<usize>, ns: usize, base: &mut [i32])
where
    i32: From<T>,
{
    let width = ns * NL;
    for k in 0..NOFF {
        let i = (j + WINDOW).wrapping_sub(k);
        if i >= s.start && i < s.end {
            let w = &w[k * width..(k + 1) * width];
            let out = &mut base[i * width..(i + 1) * width];
            for si in 0..ns {
                add_row_of(&mut out[si * NL..si * NL + NL], &w[si * NL..si * NL + NL]);
            }
        }
    }
}

/// Labels that close an entity or are outside one: the only labels O, B-* and U-* may
/// follow.
const CLOSED: [usize; 9] = [0, 3, 4, 7, 8, 11, 12, 15, 16];
/// Labels that open a span or are outside one: those that may follow a closed label.
const OPENING: [usize; 9] = [0, 1, 4, 5, 8, 9, 12, 13, 16];

/// Stages whose window rows [`Model::window_rows`] sums on the stack: a stacked model has
/// two; a model with more takes the zero-and-add path.
const MAX_ROW_STAGES: usize = 2;

/// The best previous label for `c` given the scores at the previous token, following the
/// BILOU constraints: O, B and U follow only a closed label, I and L only the B or I of
/// their own type.
#[inline]
fn best_prev(trans: &[i32], score: &[i32; NL], c: usize) -> (i32, usize) {
    let mut best = (i32::MIN, 0);
    let mut consider = |p: usize| {
        let v = score[p] + trans[p * NL + c];
        if v > best.0 {
            best = (v, p);
        }
    };
    if OPENING.contains(&c) {
        CLOSED.iter().for_each(|&p| consider(p));
    } else {
        let t = (c - 1) / 4;
        consider(1 + 4 * t);
        consider(2 + 4 * t);
    }
    best
}

/// Best label sequence of one sentence given emissions `em` (`[token][label]`).
///
/// The forward pass keeps only scores, as branch-free maxima; back-pointers are
/// recomputed for the one chosen label per token while tracing back, which is cheaper
/// than recording 17 of them per token.
#[inline(always)]
fn viterbi(stage: &Stage, em: &[i32], scores: &mut [i32], out: &mut [u8]) {
    let n = out.len();
    let trans = &stage.trans[..NL * NL];
    let mut score = [0i32; NL];
    for l in 0..NL {
        score[l] = stage.start[l] + em[l];
    }
    scores[..NL].copy_from_slice(&score);
    for i in 1..n {
        let mut next = [FORBIDDEN; NL];
        // Best closed label of the previous token per opening label.
        let mut best = [i32::MIN; 16];
        for (&p, row) in CLOSED.iter().zip(&stage.closed_to_opening) {
            let x = score[p];
            for (b, &t) in best.iter_mut().zip(row) {
                *b = (*b).max(x + t);
            }
        }
        for (&c, &b) in OPENING.iter().zip(&best) {
            next[c] = b;
        }
        for t in 0..4 {
            let (pb, pi) = (1 + 4 * t, 2 + 4 * t);
            for c in [2 + 4 * t, 3 + 4 * t] {
                next[c] = (score[pb] + trans[pb * NL + c]).max(score[pi] + trans[pi * NL + c]);
            }
        }
        let e = &em[i * NL..i * NL + NL];
        let mut top = i32::MIN;
        for l in 0..NL {
            next[l] += e[l];
            top = top.max(next[l]);
        }
        // Renormalise so long sentences cannot overflow.
        for (s, x) in score.iter_mut().zip(next) {
            *s = (x - top).max(2 * FORBIDDEN);
        }
        scores[i * NL..i * NL + NL].copy_from_slice(&score);
    }
    let mut best = i32::MIN;
    let mut arg = 0usize;
    for (l, (&s, &e)) in score.iter().zip(&stage.end).enumerate() {
        if s + e > best {
            best = s + e;
            arg = l;
        }
    }
    for i in (0..n).rev() {
        out[i] = arg as u8;
        if i > 0 {
            let mut prev = [0i32; NL];
            prev.copy_from_slice(&scores[(i - 1) * NL..i * NL]);
            arg = best_prev(trans, &prev, arg).1;
        }
    }
}

/// Fills the word-score cache of every vocabulary word at load; the bulk of loading, so
/// compiled like [`decode_doc`].
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1"))]
fn fill_cache(model: &Model, cache: &mut [i32]) {
    let per_word = model.stages.len() * NOFF * NL;
    for (v, w) in model.vocab_words.iter().enumerate() {
        let tok = Tok::new(w);
        let cluster = model.clusters.get(&tok.lower).copied();
        model.word_scores(
            w,
            &tok,
            cluster,
            &mut cache[v * per_word..(v + 1) * per_word],
        );
    }
}

/// [`Model::decode_doc`], compiled for AVX2 and SSE4.1 as well as the baseline, picked at
/// run time: this is where tagging spends its arithmetic (summing weight rows, Viterbi
/// maxima), and 17-wide integer adds and maxima vectorise there.
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1"))]
fn decode_doc(
    model: &Model,
    words: &[&str],
    ctx: &DocCtx,
    sents: &[Range<usize>],
    lattice: &Lattice,
    pred: &mut Prediction,
) {
    model.decode_doc(words, ctx, sents, lattice, pred);
}

/// One stage's transition, start and end scores as forward-backward potentials at a
/// temperature: `exp(score / (scale * T))`, each shifted by its largest allowed value
/// (every path has the same number of transitions, so the shift cancels) and 0 where the
/// tag set forbids the move.
#[derive(Debug, Clone)]
pub(crate) struct Lattice {
    /// Base-2 exponent per emission score unit: `log2(e) / (scale * T)`.
    inv2: f32,
    /// `[closed label][opening label]` (padded to 16 lanes), like `closed_to_opening`.
    closed_to_opening: [[f32; 16]; 9],
    /// `[opening label][closed label]` (padded), the same potentials transposed for the
    /// backward pass, which broadcasts one opening label's value over all closed ones.
    opening_to_closed: [[f32; 16]; 9],
    /// `[type][from B, from I][to I, to L]`: the only moves into I and L.
    inside: [[[f32; 2]; 2]; 4],
    /// Potentials of the first and of the last label of a sentence.
    start: [f32; NL],
    end: [f32; NL],
    /// Full `[prev][cur]` potentials, to walk a span's own path.
    trans: [f32; NL * NL],
}

impl Lattice {
    fn new(stage: &Stage, temperature: f32) -> Self {
        let t = if temperature.is_finite() && temperature > 0.0 {
            temperature
        } else {
            DEFAULT_TEMPERATURE
        };
        let inv = 1.0 / (stage.scale.max(1e-6) * t);
        let pot = |xs: &[i32]| -> Vec<f32> {
            let top = xs
                .iter()
                .copied()
                .filter(|&x| x > FORBIDDEN)
                .max()
                .unwrap_or(0);
            xs.iter()
                .map(|&x| {
                    if x <= FORBIDDEN {
                        0.0
                    } else {
                        ((x - top) as f32 * inv).exp()
                    }
                })
                .collect()
        };
        let mut trans = [0f32; NL * NL];
        trans.copy_from_slice(&pot(&stage.trans[..NL * NL]));
        let mut start = [0f32; NL];
        start.copy_from_slice(&pot(&stage.start[..NL]));
        let mut end = [0f32; NL];
        end.copy_from_slice(&pot(&stage.end[..NL]));
        let mut closed_to_opening = [[0f32; 16]; 9];
        for (pi, &p) in CLOSED.iter().enumerate() {
            for (ci, &c) in OPENING.iter().enumerate() {
                closed_to_opening[pi][ci] = trans[p * NL + c];
            }
        }
        let mut opening_to_closed = [[0f32; 16]; 9];
        for (ci, &c) in OPENING.iter().enumerate() {
            for (pi, &p) in CLOSED.iter().enumerate() {
                opening_to_closed[ci][pi] = trans[p * NL + c];
            }
        }
        let mut inside = [[[0f32; 2]; 2]; 4];
        for (ty, row) in inside.iter_mut().enumerate() {
            for (fi, from) in [1 + 4 * ty, 2 + 4 * ty].into_iter().enumerate() {
                for (ti, to) in [2 + 4 * ty, 3 + 4 * ty].into_iter().enumerate() {
                    row[fi][ti] = trans[from * NL + to];
                }
            }
        }
        Lattice {
            inv2: inv * std::f32::consts::LOG2_E,
            closed_to_opening,
            opening_to_closed,
            inside,
            start,
            end,
            trans,
        }
    }
}

/// `2^x` for `x <= 0` (clamped at -126, where it is about 1e-38 and a probability of it
/// is 0 anyway), branch-free so 17 of them vectorise: the integer part goes to the
/// exponent bits, the fraction through a degree-6 polynomial (relative error ~2e-6,
/// far below what a calibrated score can tell apart). The libm `exp` was 6 % of tagging.
#[inline(always)]
fn exp2_neg(x: f32) -> f32 {
    let x = x.clamp(-126.0, 0.0);
    let n = x.floor();
    let f = x - n;
    let p = 1.0
        + f * (std::f32::consts::LN_2
            + f * (0.240_226_5
                + f * (0.055_504_11 + f * (0.009_618_13 + f * (0.001_333_36 + f * 0.000_154_04)))));
    // `n` is a whole number in [-126, 0]: added to 1.5 · 2^23 it lands, exactly, in the
    // low mantissa bits, so the bits give `n` without a float-to-int cast (Rust's
    // saturating `as` does not vectorise, and was most of this function's cost).
    let biased = (n + MAGIC_ROUND)
        .to_bits()
        .wrapping_sub(MAGIC_ROUND.to_bits() - 127);
    f32::from_bits(biased << 23) * p
}

/// 1.5 · 2^23: a float whose ulp is 1 and whose mantissa has room on both sides, so adding
/// a small whole number to it moves only its low bits.
const MAGIC_ROUND: f32 = 12_582_912.0;

/// Buffers of the scaled forward-backward pass (Rabiner's scaling), reused across the
/// sentences of a document.
#[derive(Default)]
struct ForwardBackward {
    /// Emission potentials, `[token][label]`, each row shifted by its maximum.
    pe: Vec<f32>,
    /// Forward values, scaled so that `alpha[i] · beta[i] = 1` at every token.
    alpha: Vec<f32>,
    /// Backward values, scaled likewise.
    beta: Vec<f32>,
    /// `step[k]`: what the scaled values divide by on the move from token `k - 1` to
    /// token `k`, so a span's own path, walked with the same divisors, stays on the scale
    /// of `alpha` and `beta` (`step[0]` is unused).
    step: Vec<f32>,
}

/// A normaliser that cannot break the pass: a row only sums to 0 (or overflows) when
/// every path through it underflowed, and then its spans score 0 rather than NaN.
#[inline(always)]
fn finite_or_tiny(z: f32) -> f32 {
    if z > 0.0 && z.is_finite() {
        z
    } else {
        f32::MIN_POSITIVE
    }
}

/// The sum of a label row, in a fixed tree order the compiler can vectorise (a running
/// float sum cannot be reordered, and was a chain of 17 dependent adds per token).
#[inline(always)]
fn row_sum(x: &[f32; NL]) -> f32 {
    let mut h = [0f32; 8];
    for k in 0..8 {
        h[k] = x[k] + x[k + 8];
    }
    let mut q = [0f32; 4];
    for k in 0..4 {
        q[k] = h[k] + h[k + 4];
    }
    (q[0] + q[2]) + (q[1] + q[3]) + x[16]
}

impl Lattice {
    /// Unscaled forward move: the value of each label at a token given the scaled values
    /// `prev` at the token before and this token's emission potentials `e`.
    #[inline(always)]
    fn forward(&self, prev: &[f32], e: &[f32]) -> [f32; NL] {
        let mut a = [0f32; NL];
        let mut open = [0f32; 16];
        for (&p, row) in CLOSED.iter().zip(&self.closed_to_opening) {
            let x = prev[p];
            for (o, &t) in open.iter_mut().zip(row) {
                *o += x * t;
            }
        }
        for (&c, &o) in OPENING.iter().zip(&open) {
            a[c] = o;
        }
        for (ty, m) in self.inside.iter().enumerate() {
            let (b, i) = (prev[1 + 4 * ty], prev[2 + 4 * ty]);
            a[2 + 4 * ty] = b * m[0][0] + i * m[1][0];
            a[3 + 4 * ty] = b * m[0][1] + i * m[1][1];
        }
        for (x, &p) in a.iter_mut().zip(e) {
            *x *= p;
        }
        a
    }

    /// Unscaled backward move: what each label at a token is worth from there on, given
    /// the next token's emission potentials `e` and scaled backward values `next`.
    #[inline(always)]
    fn backward(&self, e: &[f32], next: &[f32]) -> [f32; NL] {
        let mut x = [0f32; NL];
        for c in 0..NL {
            x[c] = e[c] * next[c];
        }
        let mut closed = [0f32; 16];
        for (&c, col) in OPENING.iter().zip(&self.opening_to_closed) {
            let v = x[c];
            for (o, &t) in closed.iter_mut().zip(col) {
                *o += v * t;
            }
        }
        let mut b = [0f32; NL];
        for (&p, &v) in CLOSED.iter().zip(&closed) {
            b[p] = v;
        }
        for (ty, m) in self.inside.iter().enumerate() {
            let (xi, xl) = (x[2 + 4 * ty], x[3 + 4 * ty]);
            b[1 + 4 * ty] = m[0][0] * xi + m[0][1] * xl;
            b[2 + 4 * ty] = m[1][0] * xi + m[1][1] * xl;
        }
        b
    }
}

/// Writes `v · scale` into `out`.
#[inline(always)]
fn store_scaled(out: &mut [f32], v: &[f32; NL], scale: f32) {
    for (o, &x) in out.iter_mut().zip(v) {
        *o = x * scale;
    }
}

impl ForwardBackward {
    /// Writes each Viterbi entity's span marginal (Culotta & McCallum 2004: the sum over
    /// the paths that label exactly these tokens B…L or U of that type) to its tokens in
    /// `out`. The Viterbi path follows the BILOU constraints, so an entity's labels are
    /// read straight off `labels`. Sentences without entities cost nothing.
    ///
    /// A span needs `alpha` only at its first token and `beta` only at its last, and the
    /// total over all paths from either pass run to its far end. So one pass runs the
    /// whole sentence and the other only as far as the spans need: the forward pass whole
    /// and the backward one back to the end of the first span, or the backward pass whole
    /// and the forward one up to the start of the last span, whichever moves fewer
    /// tokens (entities near the start of a sentence, the common case in news, make the
    /// second much shorter). The partial pass is scaled by the whole one's normalisers,
    /// so `alpha · beta` needs no correction.
    #[inline(always)]
    fn span_probs(&mut self, lat: &Lattice, em: &[i32], labels: &[u8], out: &mut [f32]) {
        let n = labels.len();
        let Some(first_start) = labels.iter().position(|&l| l != 0) else {
            return;
        };
        let last_start = labels
            .iter()
            .rposition(|&l| l != 0 && OPENING.contains(&usize::from(l)))
            .unwrap_or(first_start);
        // The first span ends at its first closing label (U or L).
        let first_end = (first_start..n)
            .find(|&i| CLOSED.contains(&usize::from(labels[i])) && labels[i] != 0)
            .unwrap_or(n - 1);
        // Every cell read below is written first in this call, so the buffers only grow
        // and are never cleared (zeroing them was a memset per sentence).
        for buf in [&mut self.pe, &mut self.alpha, &mut self.beta] {
            if buf.len() < n * NL {
                buf.resize(n * NL, 0.0);
            }
        }
        if self.step.len() < n {
            self.step.resize(n, 1.0);
        }
        // One row at a time: a separate flat `exp2` loop over the whole sentence, tried for
        // fuller vectors, cost more in the shifting loop than it saved (+2.6 M).
        for (row, e) in self.pe[..n * NL]
            .chunks_exact_mut(NL)
            .zip(em.chunks_exact(NL))
        {
            let top = e.iter().copied().max().unwrap_or(0);
            for (p, &x) in row.iter_mut().zip(e) {
                *p = exp2_neg((x - top) as f32 * lat.inv2);
            }
        }
        let (pe, alpha, beta, step) = (
            &self.pe[..n * NL],
            &mut self.alpha[..n * NL],
            &mut self.beta[..n * NL],
            &mut self.step[..n],
        );
        let row = |i: usize| i * NL..i * NL + NL;
        let mut first = [0f32; NL];
        for ((f, &s), &p) in first.iter_mut().zip(&lat.start).zip(&pe[row(0)]) {
            *f = s * p;
        }
        if last_start < n - 1 - first_end {
            // Backward over the whole sentence, normalising each row to sum 1.
            let z = finite_or_tiny(row_sum(&lat.end));
            store_scaled(&mut beta[row(n - 1)], &lat.end, 1.0 / z);
            for i in (0..n - 1).rev() {
                let b = lat.backward(&pe[row(i + 1)], &beta[row(i + 1)]);
                let z = finite_or_tiny(row_sum(&b));
                // Token i's normaliser is the divisor of the move into token i + 1.
                step[i + 1] = z;
                store_scaled(&mut beta[row(i)], &b, 1.0 / z);
            }
            let mut total = [0f32; NL];
            for ((t, &f), &b) in total.iter_mut().zip(&first).zip(&beta[row(0)]) {
                *t = f * b;
            }
            store_scaled(
                &mut alpha[row(0)],
                &first,
                1.0 / finite_or_tiny(row_sum(&total)),
            );
            for i in 1..=last_start {
                let a = lat.forward(&alpha[row(i - 1)], &pe[row(i)]);
                store_scaled(&mut alpha[row(i)], &a, 1.0 / step[i]);
            }
        } else {
            // Forward over the whole sentence, normalising each row to sum 1.
            let z = finite_or_tiny(row_sum(&first));
            store_scaled(&mut alpha[row(0)], &first, 1.0 / z);
            for i in 1..n {
                let a = lat.forward(&alpha[row(i - 1)], &pe[row(i)]);
                let z = finite_or_tiny(row_sum(&a));
                step[i] = z;
                store_scaled(&mut alpha[row(i)], &a, 1.0 / z);
            }
            let mut total = [0f32; NL];
            for ((t, &a), &e) in total.iter_mut().zip(&alpha[row(n - 1)]).zip(&lat.end) {
                *t = a * e;
            }
            store_scaled(
                &mut beta[row(n - 1)],
                &lat.end,
                1.0 / finite_or_tiny(row_sum(&total)),
            );
            for i in (first_end..n - 1).rev() {
                let b = lat.backward(&pe[row(i + 1)], &beta[row(i + 1)]);
                store_scaled(&mut beta[row(i)], &b, 1.0 / step[i + 1]);
            }
        }
        let mut i = first_start;
        while i < n {
            let l = usize::from(labels[i]);
            if l == 0 {
                i += 1;
                continue;
            }
            // The span runs from an opening B or U to its L or U.
            let mut j = i;
            let mut p = alpha[i * NL + l];
            while (l - 1) % 4 < 2 && j + 1 < n {
                let (a, b) = (usize::from(labels[j]), usize::from(labels[j + 1]));
                j += 1;
                p *= lat.trans[a * NL + b] * pe[j * NL + b] / step[j];
                if b == 0 || (b - 1) % 4 >= 2 {
                    break;
                }
            }
            let y = usize::from(labels[j]);
            p *= beta[j * NL + y];
            let p = if p.is_finite() {
                p.clamp(0.0, 1.0)
            } else {
                0.0
            };
            out[i..=j].fill(p);
            i = j + 1;
        }
    }
}

/// Adds a word's feature scores to `out` (`[offset][stage][label]`), taking the
/// low-variety features' sums from the model's per-value tables.
struct WordRows<'a> {
    model: &'a Model,
    out: &'a mut [i32],
}

impl WordRows<'_> {
    /// Adds block `v` of the per-value table `sums`.
    #[inline(always)]
    fn add_block(&mut self, sums: &[i32], v: usize) {
        let n = self.out.len();
        if let Some(src) = sums.get(v * n..(v + 1) * n) {
            for (o, &x) in self.out.iter_mut().zip(src) {
                *o += x;
            }
        }
    }
}

impl WordSink for WordRows<'_> {
    #[inline(always)]
    fn base(&mut self, base: u64, windowed: bool) {
        self.model.add_base(base, windowed, self.out);
    }
    #[inline(always)]
    fn shape(&mut self, shape: u64) {
        match self.model.shape_ids.get(&shape) {
            Some(&v) => self.add_block(&self.model.shape_sums, v as usize),
            None => self.model.add_base(shape, true, self.out),
        }
    }
    #[inline(always)]
    fn flags(&mut self, flags: u8) {
        let v = usize::from(flags);
        if v < FLAG_VALUES {
            self.add_block(&self.model.flag_sums, v);
        } else {
            self.model.add_base(flags_key(flags), true, self.out);
        }
    }
    #[inline(always)]
    fn len(&mut self, n: u64) {
        if n < LEN_VALUES as u64 {
            self.add_block(&self.model.len_sums, n as usize);
        } else {
            self.model.add_base(len_key(n), false, self.out);
        }
    }
    #[inline(always)]
    fn cluster(&mut self, c: u32) {
        if self.model.cluster_sums.is_empty() {
            for depth in CLUSTER_DEPTHS {
                self.model.add_base(cluster_key(depth, c), true, self.out);
            }
        } else {
            self.add_block(
                &self.model.cluster_sums,
                (c >> (32 - CLUSTER_BITS)) as usize,
            );
        }
    }
}

/// Adds the weight rows of features to scores laid out `[stage][label]`, starting at stage
/// `first` (all stages for the base scores, one for the stacked features).
struct AddRows<'a> {
    model: &'a Model,
    first: usize,
    out: &'a mut [i32],
}

impl<'a> AddRows<'a> {
    /// Adds to `out` from stage `first` on.
    fn new(model: &'a Model, first: usize, out: &'a mut [i32]) -> Self {
        AddRows { model, first, out }
    }

    #[inline(always)]
    fn add(&mut self, r: usize) {
        if r == NO_ROW as usize {
            return;
        }
        let m = self.model;
        let ns = m.stages.len();
        for (j, out) in self.out.chunks_exact_mut(NL).enumerate() {
            m.add_row(self.first + j, r, out);
        }
        debug_assert!(self.first + self.out.len() / NL <= ns);
    }
}

impl FeatureSink for AddRows<'_> {
    #[inline(always)]
    fn bias(&mut self) {
        self.add(self.model.bias_row as usize);
    }
    #[inline(always)]
    fn key(&mut self, key: u64) {
        if let Some(r) = self.model.table.get(key) {
            self.add(r);
        }
    }
    #[inline(always)]
    fn small(&mut self, t: u64, v: u64) {
        if let Some(r) = self.model.small_row(t, v) {
            self.add(r);
        }
    }
}

/// High bit of a token's word-score index: the scores are in the per-document `unknown`
/// buffer rather than the model's vocabulary cache.
const UNKNOWN: u32 = 1 << 31;
/// Second-highest bit of a vocabulary word's index: its scores overflow `i16` and are in
/// the model's `wide` table.
const WIDE: u32 = 1 << 30;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::word_bases;

    /// A headline, a dateline and a sentence, with every label somewhere in the first
    /// stage, so the stacked tables are checked on all kinds of values.
    fn doc() -> (Vec<&'static str>, Vec<Range<usize>>) {
        let words: Vec<&str> = "EU rejects German call to boycott British lamb . \
             Peter Blackburn BRUSSELS 1996-08-22 The European Commission said on Thursday \
             it disagreed with German advice to consumers to shun British lamb ."
            .split_whitespace()
            .collect();
        let n = words.len();
        (words, vec![0..9, 9..11, 11..13, 13..n])
    }

    #[test]
    fn stacked_sums_match_the_features_one_by_one() {
        let m = Model::from_bytes(crate::EMBEDDED).unwrap();
        let (words, sents) = doc();
        let ctx = DocCtx::new(&words, &sents, &m.gaz);
        let labels: Vec<u8> = (0..words.len()).map(|i| (i * 5 % NL) as u8).collect();
        let st = Stack::new(labels, &ctx);
        for si in 0..m.stage_count() {
            for t in 0..words.len() {
                let mut fast = [0; NL];
                m.add_stacked(&ctx, t, &st, si, &mut fast);
                let mut slow = [0; NL];
                stack_with(&ctx, t, &st, &mut AddRows::new(&m, si, &mut slow));
                assert_eq!(fast, slow, "stage {si} token {t}");
            }
        }
    }

    #[test]
    fn fast_exp2_matches_the_library() {
        for i in 0..=2000 {
            let x = -(i as f32) * 0.05;
            let (fast, exact) = (exp2_neg(x), x.exp2());
            assert!(
                (fast - exact).abs() <= 1e-5 * exact,
                "{x}: {fast} vs {exact}"
            );
        }
        assert_eq!(exp2_neg(0.0), 1.0);
        assert!(exp2_neg(-1e9) < 1e-37);
    }

    /// Span marginals against brute force: every label sequence of a short sentence,
    /// weighted by its potential, summed over those that carry the span.
    #[test]
    fn span_marginals_equal_the_sum_over_all_paths() {
        let m = Model::from_bytes(crate::EMBEDDED).unwrap();
        let stage = m.stages.last().unwrap();
        let lat = Lattice::new(stage, 2.0);
        let n = 4;
        // Emissions that make a two-token PER then a one-token LOC likely, not certain.
        let mut em = vec![0i32; n * NL];
        let unit = stage.scale as i32;
        em[1] = 3 * unit; // B-PER at 0
        em[NL + 3] = 3 * unit; // L-PER at 1
        em[NL + 4] = 2 * unit; // U-PER at 1
        em[2 * NL] = 2 * unit; // O at 2
        em[3 * NL + 12] = unit; // U-LOC at 3
        em[3 * NL] = unit; // O at 3
        let labels = [1u8, 3, 0, 12];
        let mut out = vec![0f32; n];
        let mut fb = ForwardBackward::default();
        fb.span_probs(&lat, &em, &labels, &mut out);
        let per = brute(stage, &lat, &em, n, &|y| y[0] == 1 && y[1] == 3);
        let loc = brute(stage, &lat, &em, n, &|y| y[3] == 12);
        for (got, want) in [(out[0], per), (out[1], per), (out[3], loc)] {
            assert!((f64::from(got) - want).abs() < 1e-4, "{got} vs {want}");
        }
        assert_eq!(out[2], 0.0);
    }

    /// The marginal of the label sequences `carries` accepts, by brute force over every
    /// sequence of an `n`-token sentence.
    fn brute(
        stage: &Stage,
        lat: &Lattice,
        em: &[i32],
        n: usize,
        carries: &dyn Fn(&[usize]) -> bool,
    ) -> f64 {
        let inv = f64::from(lat.inv2) / std::f64::consts::LOG2_E;
        let (mut z, mut hit) = (0f64, 0f64);
        for code in 0..NL.pow(n as u32) {
            let y: Vec<usize> = (0..n).map(|i| code / NL.pow(i as u32) % NL).collect();
            let mut score = i64::from(stage.start[y[0]]) + i64::from(stage.end[y[n - 1]]);
            for i in 0..n {
                score += i64::from(em[i * NL + y[i]]);
                if i > 0 {
                    score += i64::from(stage.trans[y[i - 1] * NL + y[i]]);
                }
            }
            if score < i64::from(FORBIDDEN) / 2 {
                continue;
            }
            let w = (score as f64 * inv).exp();
            z += w;
            if carries(&y) {
                hit += w;
            }
        }
        hit / z
    }

    /// The backward pass stops where the first span ends; a span after leading outside
    /// tokens, in buffers a longer sentence left dirty, still gets its exact marginal.
    #[test]
    fn span_after_outside_tokens_keeps_its_marginal() {
        let m = Model::from_bytes(crate::EMBEDDED).unwrap();
        let stage = m.stages.last().unwrap();
        let lat = Lattice::new(stage, 2.0);
        let unit = stage.scale as i32;
        let mut fb = ForwardBackward::default();
        let dirty: Vec<i32> = (0..6 * NL).map(|i| (i as i32 % 7) * unit).collect();
        fb.span_probs(&lat, &dirty, &[1, 3, 0, 4, 0, 12], &mut [0f32; 6]);
        let n = 4;
        let mut em = vec![0i32; n * NL];
        em[0] = 2 * unit; // O at 0
        em[NL] = unit; // O at 1
        em[NL + 12] = unit; // U-LOC at 1, a rival
        em[2 * NL + 12] = 2 * unit; // U-LOC at 2
        em[3 * NL] = unit; // O at 3
        let labels = [0u8, 0, 12, 0];
        let mut out = vec![0f32; n];
        fb.span_probs(&lat, &em, &labels, &mut out);
        let want = brute(stage, &lat, &em, n, &|y| y[2] == 12);
        assert!(
            (f64::from(out[2]) - want).abs() < 1e-4,
            "{} vs {want}",
            out[2]
        );
        assert_eq!([out[0], out[1], out[3]], [0.0; 3]);
    }

    /// Both ways of running the passes (backward whole when the spans sit early, forward
    /// whole when they sit late) give every span its brute-force marginal, on seeded
    /// random emissions.
    #[test]
    fn span_marginals_match_brute_force_early_and_late() {
        let m = Model::from_bytes(crate::EMBEDDED).unwrap();
        let stage = m.stages.last().unwrap();
        let lat = Lattice::new(stage, 2.0);
        let unit = stage.scale as i32;
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut fb = ForwardBackward::default();
        let cases: [[u8; 5]; 5] = [
            [1, 3, 0, 0, 0],   // early: the backward pass runs whole
            [0, 0, 0, 5, 7],   // late: the forward pass runs whole
            [4, 0, 1, 3, 0],   // two spans, early
            [0, 0, 8, 0, 0],   // the middle (a tie: forward whole)
            [12, 0, 0, 0, 16], // first and last tokens
        ];
        for labels in cases {
            let n = labels.len();
            let mut em = vec![0i32; n * NL];
            for v in em.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *v = (x % 5) as i32 * unit - 2 * unit;
            }
            for (i, &l) in labels.iter().enumerate() {
                em[i * NL + usize::from(l)] += 2 * unit;
            }
            let mut out = vec![0f32; n];
            fb.span_probs(&lat, &em, &labels, &mut out);
            let mut i = 0;
            while i < n {
                if labels[i] == 0 {
                    assert_eq!(out[i], 0.0, "{labels:?}");
                    i += 1;
                    continue;
                }
                let j = (i..n)
                    .find(|&j| CLOSED.contains(&usize::from(labels[j])))
                    .unwrap();
                let want = brute(stage, &lat, &em, n, &|y| {
                    (i..=j).all(|k| y[k] == usize::from(labels[k]))
                });
                assert!(want > 1e-3, "{labels:?}: a vacuous case ({want})");
                for (k, &got) in out.iter().enumerate().take(j + 1).skip(i) {
                    assert!(
                        (f64::from(got) - want).abs() < 1e-4,
                        "{labels:?} token {k}: {got} vs {want}"
                    );
                }
                i = j + 1;
            }
        }
    }

    #[test]
    fn word_sums_match_the_features_one_by_one() {
        let m = Model::from_bytes(crate::EMBEDDED).unwrap();
        let per_word = m.stage_count() * NOFF * NL;
        for w in [
            "Blackburn",
            "BRUSSELS",
            "1996-08-22",
            "Zürich",
            "xyzzy",
            "McDonald's",
            "U.S.",
            "lamb",
        ] {
            let tok = Tok::new(w);
            let cluster = m.clusters.get(&tok.lower).copied();
            let mut fast = vec![0; per_word];
            m.word_scores(w, &tok, cluster, &mut fast);
            let mut slow = vec![0; per_word];
            word_bases(w, &tok, cluster, &mut |b, win| {
                m.add_base(b, win, &mut slow)
            });
            assert_eq!(fast, slow, "{w}");
        }
    }
}
