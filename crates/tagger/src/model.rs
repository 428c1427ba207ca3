//! The trained model: quantised weights, the word-type score cache, Viterbi decoding, and
//! the binary file format.
//!
//! File format (little-endian), chosen to load with one pass and no parsing library:
//! magic `NFNER002`, then the gazetteer (phrase hash, list mask), the word clusters (lower
//! hash, path), the vocabulary (words whose scores are cached at load), the stages' scales
//! and transition, start and end scores, and the feature rows: a key, then for each stage
//! only its non-zero label weights as `i16`. One row list serves both stages, so loading
//! needs no key merging.

use std::ops::Range;

use crate::features::{
    context, offset_key, stack_features, word_bases, DocCtx, Stack, Tok, NOFF, WINDOW,
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
    /// `trans` from each CLOSED label (inner index) to each OPENING label (outer index),
    /// contiguous so the forward pass's inner maximum vectorises.
    closed_to_opening: [[i32; 9]; 9],
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
    /// Summed word-feature scores per vocabulary word: `[word][stage][offset][label]`.
    cache: Vec<i32>,
}

/// Labels and confidence margins of a document's tokens.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prediction {
    /// BILOU label per token.
    pub(crate) labels: Vec<u8>,
    /// Float margin of the chosen label's emission over the best other label.
    pub(crate) margin: Vec<f32>,
}

impl Model {
    /// Adds stage `si`'s weights of row `r` to `out`.
    #[inline(always)]
    fn add_row(&self, si: usize, r: usize, out: &mut [i32]) {
        let at = (r * self.stages.len() + si) * NL;
        add_i16(out, &self.weights[at..at + NL]);
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
                closed_to_opening: [[0; 9]; 9],
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
                    s.closed_to_opening[ci][pi] = s.trans[p * NL + c];
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
        let ns = self.stages.len();
        let per_word = ns * NOFF * NL;
        self.vocab = IdMap::default();
        self.vocab.reserve(self.vocab_words.len());
        let mut cache = vec![0; self.vocab_words.len() * per_word];
        for (v, w) in self.vocab_words.iter().enumerate() {
            self.vocab.insert(crate::features::word_key(w), v as u32);
        }
        fill_cache(self, &mut cache);
        self.cache = cache;
    }

    /// Labels a document of `words` split into `sents` (token index ranges).
    pub(crate) fn predict(&self, words: &[&str], sents: &[Range<usize>]) -> Prediction {
        let n = words.len();
        let mut pred = Prediction {
            labels: vec![0; n],
            margin: vec![0.0; n],
        };
        if n == 0 || self.stages.is_empty() {
            return pred;
        }
        let ctx = DocCtx::new(words, sents, &self.gaz);
        let longest = sents.iter().map(|s| s.len()).max().unwrap_or(0);
        let mut em = vec![0i32; longest * NL];
        let mut back = vec![0i32; longest * NL];
        // Where each token's word-feature scores are (the cache, or `unknown` for words
        // outside the vocabulary), and the rows of its context features: found once and
        // reused by the second stage.
        let mut src: Vec<u32> = Vec::with_capacity(n);
        let mut unknown: Vec<i32> = Vec::new();
        let mut rows: Vec<u32> = Vec::with_capacity(n * 16);
        let mut offs: Vec<u32> = Vec::with_capacity(n + 1);
        lookup(
            self,
            words,
            &ctx,
            &mut src,
            &mut unknown,
            &mut rows,
            &mut offs,
        );
        let words_em = WordScores {
            cache: &self.cache,
            unknown: &unknown,
            src: &src,
        };
        let mut stack: Option<Stack> = None;
        for si in 0..self.stages.len() {
            let bufs = Buffers {
                em: &mut em,
                back: &mut back,
            };
            decode_stage(
                self,
                si,
                &ctx,
                sents,
                stack.as_ref(),
                &words_em,
                &rows,
                &offs,
                bufs,
                &mut pred,
            );
            if si + 1 < self.stages.len() {
                stack = Some(Stack::new(pred.labels.clone(), &ctx));
            }
        }
        pred
    }

    /// Word-feature scores of `w` for every stage and offset, into `out`
    /// (`[stage][offset][label]`).
    #[inline(always)]
    fn word_scores(&self, w: &str, tok: &Tok, cluster: Option<u32>, out: &mut [i32]) {
        word_bases(w, tok, cluster, &mut |b, windowed| {
            for k in 0..NOFF {
                if windowed || k == WINDOW {
                    if let Some(r) = self.table.get(offset_key(b, k)) {
                        for si in 0..self.stages.len() {
                            let o = (si * NOFF + k) * NL;
                            self.add_row(si, r, &mut out[o..o + NL]);
                        }
                    }
                }
            }
        });
    }

    /// Finds every token's word-feature scores (from the cache, or computed for unknown
    /// words) and the rows of its context features.
    #[inline(always)]
    fn lookup(
        &self,
        words: &[&str],
        ctx: &DocCtx,
        src: &mut Vec<u32>,
        unknown: &mut Vec<i32>,
        rows: &mut Vec<u32>,
        offs: &mut Vec<u32>,
    ) {
        let per_word = self.stages.len() * NOFF * NL;
        for (t, tok) in ctx.toks.iter().enumerate() {
            if let Some(&v) = self.vocab.get(&tok.word) {
                src.push(v);
            } else {
                let at = unknown.len();
                unknown.resize(at + per_word, 0);
                let cluster = self.clusters.get(&tok.lower).copied();
                self.word_scores(words[t], tok, cluster, &mut unknown[at..]);
                src.push(UNKNOWN | (at / per_word) as u32);
            }
        }
        offs.push(0);
        for t in 0..ctx.toks.len() {
            context(ctx, t, None, &mut |key| {
                if let Some(r) = self.table.get(key) {
                    rows.push(r as u32);
                }
            });
            offs.push(rows.len() as u32);
        }
    }

    /// Emission scores of one sentence for stage `si` into `em` (`[token][label]`).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn emissions(
        &self,
        si: usize,
        ctx: &DocCtx,
        s: Range<usize>,
        stack: Option<&Stack>,
        words_em: &WordScores<'_>,
        rows: &[u32],
        offs: &[u32],
        em: &mut [i32],
    ) {
        let per_word = self.stages.len() * NOFF * NL;
        em.fill(0);
        let len = s.len();
        for (j, t) in s.clone().enumerate() {
            // The word at sentence position j is seen at offset k - WINDOW by token
            // j - (k - WINDOW).
            let v = words_em.src[t];
            let (table, v) = if v & UNKNOWN != 0 {
                (words_em.unknown, v & !UNKNOWN)
            } else {
                (words_em.cache, v)
            };
            let base = v as usize * per_word + si * NOFF * NL;
            for k in 0..NOFF {
                let i = j as isize - (k as isize - WINDOW as isize);
                if i >= 0 && (i as usize) < len {
                    let i = i as usize;
                    add_i32(
                        &mut em[i * NL..i * NL + NL],
                        &table[base + k * NL..base + k * NL + NL],
                    );
                }
            }
        }
        for (i, t) in s.enumerate() {
            let row = &mut em[i * NL..i * NL + NL];
            for &r in &rows[offs[t] as usize..offs[t + 1] as usize] {
                self.add_row(si, r as usize, row);
            }
            if let Some(st) = stack {
                stack_features(ctx, t, st, &mut |key| {
                    if let Some(r) = self.table.get(key) {
                        self.add_row(si, r, row);
                    }
                });
            }
        }
    }

    /// Serialises the model.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
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
                closed_to_opening: [[0; 9]; 9],
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

/// `out += w` over one label row of summed scores.
#[inline(always)]
fn add_i32(out: &mut [i32], w: &[i32]) {
    if let (Ok(out), Ok(w)) = (<&mut [i32; NL]>::try_from(out), <&[i32; NL]>::try_from(w)) {
        for l in 0..NL {
            out[l] += w[l];
        }
    }
}

/// Labels that close an entity or are outside one: the only labels O, B-* and U-* may
/// follow.
const CLOSED: [usize; 9] = [0, 3, 4, 7, 8, 11, 12, 15, 16];
/// Labels that open a span or are outside one: those that may follow a closed label.
const OPENING: [usize; 9] = [0, 1, 4, 5, 8, 9, 12, 13, 16];

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
        let closed = CLOSED.map(|p| score[p]);
        for (row, c) in stage.closed_to_opening.iter().zip(OPENING) {
            let mut best = i32::MIN;
            for (&x, &t) in closed.iter().zip(row) {
                best = best.max(x + t);
            }
            next[c] = best;
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
/// compiled like [`decode_stage`].
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

/// [`Model::lookup`], compiled like [`decode_stage`]: unknown words sum many weight rows.
#[allow(clippy::too_many_arguments)]
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1"))]
fn lookup(
    model: &Model,
    words: &[&str],
    ctx: &DocCtx,
    src: &mut Vec<u32>,
    unknown: &mut Vec<i32>,
    rows: &mut Vec<u32>,
    offs: &mut Vec<u32>,
) {
    model.lookup(words, ctx, src, unknown, rows, offs);
}

/// Scratch buffers of one document's decoding, sized for its longest sentence.
struct Buffers<'a> {
    em: &'a mut [i32],
    back: &'a mut [i32],
}

/// Decodes every sentence with stage `si`. This is where tagging spends its arithmetic
/// (summing weight rows, Viterbi maxima), so it is compiled for AVX2 and SSE4.1 as well as
/// the baseline, picked at run time: 17-wide integer adds and maxima vectorise there.
#[allow(clippy::too_many_arguments)]
#[multiversion::multiversion(targets("x86_64+avx2+fma", "x86_64+sse4.1"))]
fn decode_stage<'a, 'b>(
    model: &Model,
    si: usize,
    ctx: &DocCtx,
    sents: &[Range<usize>],
    stack: Option<&Stack>,
    words_em: &WordScores<'a>,
    rows: &[u32],
    offs: &[u32],
    bufs: Buffers<'b>,
    pred: &mut Prediction,
) {
    let n = pred.labels.len();
    let stage = &model.stages[si];
    let last = si + 1 == model.stages.len();
    for s in sents {
        let s = s.start.min(n)..s.end.min(n);
        if s.is_empty() {
            continue;
        }
        let em = &mut bufs.em[..s.len() * NL];
        model.emissions(si, ctx, s.clone(), stack, words_em, rows, offs, em);
        viterbi(stage, em, bufs.back, &mut pred.labels[s.clone()]);
        if !last {
            continue;
        }
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
}

/// High bit of a token's word-score index: the scores are in the per-document `unknown`
/// buffer rather than the model's vocabulary cache.
const UNKNOWN: u32 = 1 << 31;

/// Where each token's word-feature scores are.
struct WordScores<'a> {
    cache: &'a [i32],
    unknown: &'a [i32],
    src: &'a [u32],
}
