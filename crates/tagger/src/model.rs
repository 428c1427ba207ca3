//! The trained model: quantised weights, the word-type score cache, Viterbi decoding, and
//! the binary file format.
//!
//! File format (little-endian), chosen to load with one pass and no parsing library:
//! magic `NFNER002`, then the gazetteer (phrase hash, list mask), the word clusters (lower
//! hash, path), the vocabulary (words whose scores are cached at load), and one or two
//! stages, each a sparse list of feature rows (key, then only its non-zero label weights as
//! `i16`) plus transition, start and end scores.

use std::ops::Range;

use crate::features::{context, offset_key, word_bases, DocCtx, Stack, Tok, NOFF, WINDOW};
use crate::gazetteer::Gazetteer;
use crate::hash::{IdMap, KeyTable};
use crate::labels::{allowed, allowed_end, NL};
use crate::TaggerError;

const MAGIC: &[u8; 8] = b"NFNER002";
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

/// One decoding stage with integer weights.
#[derive(Debug, Clone, Default)]
struct Stage {
    table: KeyTable,
    /// Row-major `[row][label]`.
    weights: Vec<i16>,
    trans: Vec<i32>,
    start: Vec<i32>,
    end: Vec<i32>,
    /// Integer units per float unit, to turn margins back into comparable numbers.
    scale: f32,
    /// Summed word-feature scores per vocabulary word: `[word][offset][label]`.
    cache: Vec<i32>,
}

impl Stage {
    #[inline]
    fn add_row(&self, key: u64, out: &mut [i32]) {
        if let Some(r) = self.table.get(key) {
            let w = &self.weights[r * NL..r * NL + NL];
            for (o, &x) in out.iter_mut().zip(w) {
                *o += i32::from(x);
            }
        }
    }
}

/// The whole model.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    pub(crate) gaz: Gazetteer,
    pub(crate) clusters: IdMap<u32>,
    vocab_words: Vec<String>,
    vocab: IdMap<u32>,
    stages: Vec<Stage>,
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
    /// Builds a model from trained float weights, quantising them to `i16`.
    pub(crate) fn from_parts(
        gaz: Gazetteer,
        clusters: IdMap<u32>,
        vocab_words: Vec<String>,
        stages: &[StageWeights],
    ) -> Self {
        let mut m = Model { gaz, clusters, vocab_words, ..Model::default() };
        for sw in stages {
            let max = sw.w.iter().chain(&sw.trans).fold(0f32, |a, &x| a.max(x.abs())).max(1e-6);
            // Leave headroom below i16::MAX so rounding cannot overflow.
            let scale = 32000.0 / max;
            let q = |x: f32| (x * scale).round() as i32;
            let mut keys = Vec::new();
            let mut weights = Vec::new();
            for (r, &k) in sw.keys.iter().enumerate() {
                let row: Vec<i16> = sw.w[r * NL..r * NL + NL].iter().map(|&x| q(x) as i16).collect();
                if row.iter().any(|&x| x != 0) {
                    keys.push(k);
                    weights.extend(row);
                }
            }
            m.stages.push(Stage {
                table: KeyTable::new(&keys),
                weights,
                trans: sw.trans.iter().map(|&x| q(x)).collect(),
                start: sw.start.iter().map(|&x| q(x)).collect(),
                end: sw.end.iter().map(|&x| q(x)).collect(),
                scale,
                cache: Vec::new(),
            });
        }
        m.finish();
        m
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
            for l in 0..NL {
                if !allowed(None, l) {
                    s.start[l] = FORBIDDEN;
                }
                if !allowed_end(l) {
                    s.end[l] = FORBIDDEN;
                }
            }
        }
        self.vocab = IdMap::default();
        for s in &mut self.stages {
            s.cache = vec![0; self.vocab_words.len() * NOFF * NL];
        }
        for (v, w) in self.vocab_words.iter().enumerate() {
            let tok = Tok::new(w);
            self.vocab.insert(tok.word, v as u32);
            let cluster = self.clusters.get(&tok.lower).copied();
            for s in &mut self.stages {
                let base = v * NOFF * NL;
                let mut rows = [0i32; NOFF * NL];
                word_bases(w, &tok, cluster, &mut |b, windowed| {
                    for k in 0..NOFF {
                        if windowed || k == WINDOW {
                            s.add_row(offset_key(b, k), &mut rows[k * NL..k * NL + NL]);
                        }
                    }
                });
                s.cache[base..base + NOFF * NL].copy_from_slice(&rows);
            }
        }
    }

    /// Labels a document of `words` split into `sents` (token index ranges).
    pub(crate) fn predict(&self, words: &[&str], sents: &[Range<usize>]) -> Prediction {
        let n = words.len();
        let mut pred = Prediction { labels: vec![0; n], margin: vec![0.0; n] };
        if n == 0 || self.stages.is_empty() {
            return pred;
        }
        let ctx = DocCtx::new(words, sents, &self.gaz);
        let longest = sents.iter().map(|s| s.len()).max().unwrap_or(0);
        let mut em = vec![0i32; longest * NL];
        let mut back = vec![0u8; longest * NL];
        let mut stack: Option<Stack> = None;
        for (si, stage) in self.stages.iter().enumerate() {
            for s in sents {
                let s = s.start.min(n)..s.end.min(n);
                if s.is_empty() {
                    continue;
                }
                let em = &mut em[..s.len() * NL];
                self.emissions(stage, words, &ctx, s.clone(), stack.as_ref(), em);
                viterbi(stage, em, &mut back, &mut pred.labels[s.clone()]);
                for (i, t) in s.clone().enumerate() {
                    let row = &em[i * NL..i * NL + NL];
                    let l = pred.labels[t] as usize;
                    let other = (0..NL).filter(|&x| x != l).map(|x| row[x]).max().unwrap_or(0);
                    pred.margin[t] = (row[l] - other) as f32 / stage.scale;
                }
            }
            if si + 1 < self.stages.len() {
                stack = Some(Stack::new(pred.labels.clone(), &ctx));
            }
        }
        pred
    }

    /// Emission scores of one sentence into `em` (`[token][label]`).
    fn emissions(
        &self,
        stage: &Stage,
        words: &[&str],
        ctx: &DocCtx,
        s: Range<usize>,
        stack: Option<&Stack>,
        em: &mut [i32],
    ) {
        em.fill(0);
        let len = s.len();
        for (j, t) in s.clone().enumerate() {
            let tok = &ctx.toks[t];
            // The word at sentence position j is at offset k - WINDOW of token j - (k - WINDOW).
            let mut add = |k: usize, rows: &[i32]| {
                let i = j as isize - (k as isize - WINDOW as isize);
                if i >= 0 && (i as usize) < len {
                    let i = i as usize;
                    for (o, &x) in em[i * NL..i * NL + NL].iter_mut().zip(rows) {
                        *o += x;
                    }
                }
            };
            if let Some(&v) = self.vocab.get(&tok.word) {
                let base = v as usize * NOFF * NL;
                let c = &stage.cache[base..base + NOFF * NL];
                for k in 0..NOFF {
                    add(k, &c[k * NL..k * NL + NL]);
                }
            } else {
                let mut rows = [0i32; NOFF * NL];
                let cluster = self.clusters.get(&tok.lower).copied();
                word_bases(words[t], tok, cluster, &mut |b, windowed| {
                    for k in 0..NOFF {
                        if windowed || k == WINDOW {
                            stage.add_row(offset_key(b, k), &mut rows[k * NL..k * NL + NL]);
                        }
                    }
                });
                for k in 0..NOFF {
                    add(k, &rows[k * NL..k * NL + NL]);
                }
            }
        }
        for (i, t) in s.enumerate() {
            let row = &mut em[i * NL..i * NL + NL];
            context(ctx, t, stack, &mut |key| stage.add_row(key, row));
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
            let keys = s.table.row_keys();
            put_u32(&mut out, keys.len() as u32);
            for (r, k) in keys.iter().enumerate() {
                out.extend_from_slice(&k.to_le_bytes());
                let row = &s.weights[r * NL..r * NL + NL];
                out.push(row.iter().filter(|&&x| x != 0).count() as u8);
                for (l, &x) in row.iter().enumerate() {
                    if x != 0 {
                        out.push(l as u8);
                        out.extend_from_slice(&x.to_le_bytes());
                    }
                }
            }
            for v in s.trans.iter().chain(&s.start).chain(&s.end) {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    /// Reads a model written by [`Model::to_bytes`].
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, TaggerError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err(TaggerError::Format("not a newsflow tagger model (bad magic)".into()));
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
            return Err(TaggerError::Format(format!("{nstages} stages; at most 4 expected")));
        }
        for _ in 0..nstages {
            let scale = f32::from_le_bytes(arr(r.take(4)?));
            let rows = r.u32()? as usize;
            let mut keys = Vec::with_capacity(rows.min(bytes.len()));
            let mut weights = vec![0i16; rows.min(bytes.len()) * NL];
            for row in 0..rows {
                keys.push(r.u64()?);
                let cnt = r.take(1)?[0] as usize;
                for _ in 0..cnt {
                    let l = r.take(1)?[0] as usize;
                    let x = r.u16()? as i16;
                    if l >= NL {
                        return Err(TaggerError::Format(format!("label {l} out of range")));
                    }
                    weights[row * NL + l] = x;
                }
            }
            let mut ints = Vec::with_capacity(NL * NL + 2 * NL);
            for _ in 0..NL * NL + 2 * NL {
                ints.push(r.u32()? as i32);
            }
            m.stages.push(Stage {
                table: KeyTable::new(&keys),
                weights,
                trans: ints[..NL * NL].to_vec(),
                start: ints[NL * NL..NL * NL + NL].to_vec(),
                end: ints[NL * NL + NL..].to_vec(),
                scale,
                cache: Vec::new(),
            });
        }
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
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| {
            TaggerError::Format(format!("model truncated at byte {} of {}", self.at, self.bytes.len()))
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

/// Best label sequence of one sentence given emissions `em` (`[token][label]`).
fn viterbi(stage: &Stage, em: &[i32], back: &mut [u8], out: &mut [u8]) {
    let n = out.len();
    let mut score = [0i32; NL];
    for l in 0..NL {
        score[l] = stage.start[l] + em[l];
    }
    for i in 1..n {
        let mut next = [0i32; NL];
        for c in 0..NL {
            let mut best = i32::MIN;
            let mut arg = 0u8;
            for p in 0..NL {
                let v = score[p] + stage.trans[p * NL + c];
                if v > best {
                    best = v;
                    arg = p as u8;
                }
            }
            next[c] = best + em[i * NL + c];
            back[i * NL + c] = arg;
        }
        // Renormalise so long sentences cannot overflow.
        let top = next.iter().copied().max().unwrap_or(0);
        for (s, x) in score.iter_mut().zip(next) {
            *s = (x - top).max(2 * FORBIDDEN);
        }
    }
    let mut best = i32::MIN;
    let mut arg = 0usize;
    for l in 0..NL {
        let v = score[l] + stage.end[l];
        if v > best {
            best = v;
            arg = l;
        }
    }
    for i in (0..n).rev() {
        out[i] = arg as u8;
        if i > 0 {
            arg = back[i * NL + arg] as usize;
        }
    }
}
