//! Training: a structured averaged perceptron (Collins 2002) over BILOU labels, in two
//! stacked stages (Krishnan & Manning 2006).
//!
//! The perceptron rather than a CRF: training is a Viterbi pass and a sparse update per
//! sentence (seconds per epoch, no gradient over all label paths), averaging gives most of
//! a CRF's regularisation, and decoding is the same Viterbi either way. Training is
//! deterministic: sentence order comes from a seeded xorshift generator.
//!
//! Two tricks keep training features honest:
//! - entity strings harvested from the training data are split by document into folds:
//!   a training document sees only strings from the other folds' documents, so the model
//!   learns how far a match can be trusted on unseen text;
//! - the second stage learns from first-stage labels produced by jackknifing (a model
//!   trained without a fold labels that fold), for the same reason.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::PathBuf;

use crate::conll::ConllFile;
use crate::features::{context, offset_key, word_bases, DocCtx, Stack, Tok, NOFF, WINDOW};
use crate::gazetteer::{is_external, Gazetteer, CATEGORIES, TRAIN_BASE};
use crate::hash::IdMap;
use crate::labels::{allowed, allowed_end, decode, encode, iob_spans, type_index, TokenEntity, NL};
use crate::model::{Model, StageWeights};
use crate::score::Counts;
use crate::{Tagger, TaggerError};

/// Settings of one training run.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Most epochs per stage; training stops earlier when dev F1 stops improving.
    pub epochs: usize,
    /// Seed of the sentence shuffling.
    pub seed: u64,
    /// Epochs without a dev improvement before stopping.
    pub patience: usize,
    /// Folds for the harvested-entity split and the jackknife.
    pub folds: usize,
    /// Whether to train the second, stacked stage.
    pub stacking: bool,
    /// Folder with the gazetteer lists (`loc_cities.txt`, ...); `None` trains without.
    pub gazetteers: Option<PathBuf>,
    /// Whether to add the entity strings of the training data as gazetteers.
    pub harvest: bool,
    /// Word clusters file (`word<TAB>bit path`), if any.
    pub clusters: Option<PathBuf>,
    /// Whether to add Title-Case copies of the all-caps training headlines.
    pub title_case: bool,
    /// Words seen at most this many times in training lose their identity features
    /// (exact and lowercase form) while training, so the model learns how to read a name
    /// it has never seen from words it cannot memorise; 0 (the default, which the
    /// committed model was trained with) keeps every word's.
    pub rare_words: usize,
    /// Whether the company and brand lists (`org_companies`, `org_brands`) also count,
    /// in the saved model and on the dev set, as organisation names seen in training
    /// (`train_ORG`), whose meaning the document split teaches; the training documents
    /// never see them there.
    pub lists_as_org: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 30,
            seed: 1,
            patience: 8,
            folds: 5,
            stacking: true,
            gazetteers: None,
            harvest: true,
            clusters: None,
            title_case: true,
            rare_words: 0,
            lists_as_org: false,
        }
    }
}

/// One document prepared for training.
struct DocData<'a> {
    words: Vec<&'a str>,
    sents: Vec<Range<usize>>,
    gold: Vec<u8>,
    fold: usize,
}

/// Words Title Case leaves lowercase after the first; the same list makes the Title-Case
/// dev headlines (`scripts/title_case_headlines.py`).
static TITLE_LOWER: &str = include_str!("../../../data/abbreviations/title_case_lower.txt");

/// `w` in Title Case: each hyphen-separated part capitalised, the rest lowercase; with
/// `small`, the short function words stay lowercase unless `first`.
fn title_word(w: &str, first: bool, small: Option<&[&str]>) -> String {
    let low = w.to_lowercase();
    if !w.chars().any(char::is_alphabetic)
        || (!first && small.is_some_and(|s| s.contains(&low.as_str())))
    {
        return if w.chars().any(char::is_alphabetic) {
            low
        } else {
            w.to_string()
        };
    }
    let mut out = String::with_capacity(low.len());
    for (n, part) in low.split('-').enumerate() {
        if n > 0 {
            out.push('-');
        }
        let mut cs = part.chars();
        if let Some(c) = cs.next() {
            out.extend(c.to_uppercase());
            out.push_str(cs.as_str());
        }
    }
    out
}

/// The Title-Case headlines of one training document, owning their words.
struct TitleCopy {
    /// Index of the source document.
    src: usize,
    words: Vec<String>,
    sents: Vec<Range<usize>>,
    gold: Vec<u8>,
}

/// Title-Case copies of each document's all-caps headlines (three or more tokens, every
/// letter upper case): one document of them per source document, with its gold labels.
/// Feeds write headlines in Title Case and CoNLL's are all caps, so without these the
/// model has never seen a capitalised line that is not a sentence. Every other copy
/// capitalises the function words too, as many feeds do ("App For iPhone").
fn title_copies(docs: &[DocData<'_>]) -> Vec<TitleCopy> {
    let small: Vec<&str> = TITLE_LOWER
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut out = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let mut words = Vec::new();
        let mut sents = Vec::new();
        let mut gold = Vec::new();
        for s in &doc.sents {
            let ws = &doc.words[s.clone()];
            let head = ws.len() >= 3
                && ws.iter().any(|w| w.chars().any(char::is_alphabetic))
                && ws.iter().all(|w| !w.chars().any(char::is_lowercase));
            if !head {
                continue;
            }
            let style = (d % 2 == 0).then_some(small.as_slice());
            let start = words.len();
            words.extend(
                ws.iter()
                    .enumerate()
                    .map(|(i, w)| title_word(w, i == 0, style)),
            );
            sents.push(start..words.len());
            gold.extend_from_slice(&doc.gold[s.clone()]);
        }
        if !sents.is_empty() {
            out.push(TitleCopy {
                src: d,
                words,
                sents,
                gold,
            });
        }
    }
    out
}

fn prepare(file: &ConllFile, folds: usize) -> Vec<DocData<'_>> {
    file.documents
        .iter()
        .enumerate()
        .map(|(d, doc)| {
            let words: Vec<&str> = doc
                .sentences
                .iter()
                .flatten()
                .map(|&l| file.lines[l].token())
                .collect();
            let sents = ConllFile::sentence_ranges(doc);
            let tags = file.gold_tags(doc);
            let mut gold = vec![0u8; words.len()];
            for s in &sents {
                let ents: Vec<TokenEntity> = iob_spans(&tags[s.clone()])
                    .into_iter()
                    .filter_map(|e| {
                        Some(TokenEntity {
                            tokens: e.tokens,
                            ty: type_index(&e.ty)?,
                        })
                    })
                    .collect();
                gold[s.clone()].copy_from_slice(&encode(s.len(), &ents));
            }
            DocData {
                words,
                sents,
                gold,
                fold: d % folds.max(1),
            }
        })
        .collect()
}

/// Feature key to dense id, growing while training features are extracted.
#[derive(Default)]
struct Interner {
    ids: IdMap<u32>,
    keys: Vec<u64>,
}

impl Interner {
    fn id(&mut self, key: u64, grow: bool) -> Option<u32> {
        if let Some(&id) = self.ids.get(&key) {
            return Some(id);
        }
        if !grow {
            return None;
        }
        let id = self.keys.len() as u32;
        self.ids.insert(key, id);
        self.keys.push(key);
        Some(id)
    }
}

/// One sentence as feature ids per token.
struct Inst {
    feats: Vec<u32>,
    offs: Vec<u32>,
    gold: Vec<u8>,
    doc: usize,
    start: usize,
}

struct Extractor<'a> {
    clusters: &'a IdMap<u32>,
    bases: HashMap<&'a str, Vec<(u64, bool)>>,
    /// Words seen once in training: their identity features (exact and lowercase form)
    /// are left out, so the weights of shape, affixes and clusters are learnt on words the
    /// model has not memorised, which is what every new name at run time is.
    rare: HashSet<&'a str>,
}

impl<'a> Extractor<'a> {
    #[allow(clippy::too_many_arguments)]
    fn doc(
        &mut self,
        d: usize,
        doc: &DocData<'a>,
        ctx: &DocCtx,
        stack: Option<&Stack>,
        interner: &mut Interner,
        grow: bool,
        out: &mut Vec<Inst>,
    ) {
        for s in &doc.sents {
            let mut feats = Vec::new();
            let mut offs = vec![0u32];
            for i in s.clone() {
                for k in 0..NOFF {
                    let j = i as isize + k as isize - WINDOW as isize;
                    if j < s.start as isize || j >= s.end as isize {
                        continue;
                    }
                    let j = j as usize;
                    let w = doc.words[j];
                    let bases = self
                        .bases
                        .entry(w)
                        .or_insert_with(|| training_bases(w, self.clusters, self.rare.contains(w)));
                    for &(b, win) in bases.iter() {
                        if win || k == WINDOW {
                            if let Some(id) = interner.id(offset_key(b, k), grow) {
                                feats.push(id);
                            }
                        }
                    }
                }
                context(ctx, i, stack, &mut |key| {
                    if let Some(id) = interner.id(key, grow) {
                        feats.push(id);
                    }
                });
                offs.push(feats.len() as u32);
            }
            out.push(Inst {
                feats,
                offs,
                gold: doc.gold[s.clone()].to_vec(),
                doc: d,
                start: s.start,
            });
        }
    }
}

/// The word features training sees for `w`: all of them, or for a `rare` word all but
/// its identity (exact and lowercase form), which a new name at run time has no weight for.
fn training_bases(w: &str, clusters: &IdMap<u32>, rare: bool) -> Vec<(u64, bool)> {
    let tok = Tok::new(w);
    let mut v = Vec::new();
    let cluster = clusters.get(&tok.lower).copied();
    word_bases(w, &tok, cluster, &mut |b, win| {
        if !(rare && (b == tok.word || b == tok.lower)) {
            v.push((b, win));
        }
    });
    v
}

/// Averaged perceptron weights: feature rows, then NL transition rows, a start row and an
/// end row.
struct Perceptron {
    nfeat: usize,
    w: Vec<i32>,
    acc: Vec<i64>,
    c: i64,
}

impl Perceptron {
    fn new(nfeat: usize) -> Self {
        let n = (nfeat + NL + 2) * NL;
        Perceptron {
            nfeat,
            w: vec![0; n],
            acc: vec![0; n],
            c: 1,
        }
    }

    #[inline]
    fn upd(&mut self, row: usize, l: usize, d: i32) {
        let i = row * NL + l;
        self.w[i] += d;
        self.acc[i] += self.c * i64::from(d);
    }

    fn averaged(&self) -> Vec<f32> {
        let c = self.c as f64;
        self.w
            .iter()
            .zip(&self.acc)
            .map(|(&w, &a)| (f64::from(w) - a as f64 / c) as f32)
            .collect()
    }

    fn current(&self) -> Vec<f32> {
        self.w.iter().map(|&w| w as f32).collect()
    }

    fn train_one(&mut self, inst: &Inst, em: &mut Vec<f32>, pred: &mut Vec<u8>) {
        let n = inst.gold.len();
        emissions_i(&self.w, inst, em);
        pred.resize(n, 0);
        viterbi_f(em, &self.w, self.nfeat, pred);
        if pred[..] != inst.gold[..] {
            let (tr, st, en) = (self.nfeat, self.nfeat + NL, self.nfeat + NL + 1);
            for i in 0..n {
                let (g, p) = (inst.gold[i] as usize, pred[i] as usize);
                if g != p {
                    for &f in &inst.feats[inst.offs[i] as usize..inst.offs[i + 1] as usize] {
                        self.upd(f as usize, g, 1);
                        self.upd(f as usize, p, -1);
                    }
                }
                let (gp, pp) = if i == 0 {
                    (st, st)
                } else {
                    (tr + inst.gold[i - 1] as usize, tr + pred[i - 1] as usize)
                };
                if (gp, g) != (pp, p) {
                    self.upd(gp, g, 1);
                    self.upd(pp, p, -1);
                }
            }
            let (g, p) = (inst.gold[n - 1] as usize, pred[n - 1] as usize);
            if g != p {
                self.upd(en, g, 1);
                self.upd(en, p, -1);
            }
        }
        self.c += 1;
    }
}

fn emissions_i(w: &[i32], inst: &Inst, em: &mut Vec<f32>) {
    let n = inst.gold.len();
    em.clear();
    em.resize(n * NL, 0.0);
    for i in 0..n {
        let mut row = [0i32; NL];
        for &f in &inst.feats[inst.offs[i] as usize..inst.offs[i + 1] as usize] {
            let r = &w[f as usize * NL..f as usize * NL + NL];
            for (o, &x) in row.iter_mut().zip(r) {
                *o += x;
            }
        }
        for (o, x) in em[i * NL..i * NL + NL].iter_mut().zip(row) {
            *o = x as f32;
        }
    }
}

fn emissions_f(w: &[f32], inst: &Inst, em: &mut Vec<f32>) {
    let n = inst.gold.len();
    em.clear();
    em.resize(n * NL, 0.0);
    for i in 0..n {
        let row = &mut em[i * NL..i * NL + NL];
        for &f in &inst.feats[inst.offs[i] as usize..inst.offs[i + 1] as usize] {
            for (o, &x) in row
                .iter_mut()
                .zip(&w[f as usize * NL..f as usize * NL + NL])
            {
                *o += x;
            }
        }
    }
}

/// Viterbi over float scores; `w` holds the transition rows after `nfeat` feature rows.
fn viterbi_f<T: Copy + Into<f64>>(em: &[f32], w: &[T], nfeat: usize, out: &mut [u8]) {
    let n = out.len();
    let wt = |row: usize, l: usize| -> f64 { w[row * NL + l].into() };
    let (tr, st, en) = (nfeat, nfeat + NL, nfeat + NL + 1);
    let mut back = vec![0u8; n * NL];
    let mut score = [f64::NEG_INFINITY; NL];
    for l in 0..NL {
        if allowed(None, l) {
            score[l] = wt(st, l) + f64::from(em[l]);
        }
    }
    for i in 1..n {
        let mut next = [f64::NEG_INFINITY; NL];
        for c in 0..NL {
            for (p, &sp) in score.iter().enumerate() {
                if !allowed(Some(p), c) {
                    continue;
                }
                let v = sp + wt(tr + p, c);
                if v > next[c] {
                    next[c] = v;
                    back[i * NL + c] = p as u8;
                }
            }
            next[c] += f64::from(em[i * NL + c]);
        }
        score = next;
    }
    let mut arg = 0;
    let mut best = f64::NEG_INFINITY;
    for (l, &sl) in score.iter().enumerate() {
        if allowed_end(l) && sl + wt(en, l) > best {
            best = sl + wt(en, l);
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

/// Decodes every instance with float weights, writing labels into per-document vectors.
fn label_all(w: &[f32], nfeat: usize, insts: &[&Inst], labels: &mut [Vec<u8>]) {
    let mut em = Vec::new();
    for inst in insts {
        emissions_f(w, inst, &mut em);
        let n = inst.gold.len();
        let out = &mut labels[inst.doc][inst.start..inst.start + n];
        viterbi_f(&em, w, nfeat, out);
    }
}

fn f1_of(w: &[f32], nfeat: usize, insts: &[Inst]) -> Counts {
    let mut c = Counts::default();
    let mut em = Vec::new();
    let mut pred = Vec::new();
    for inst in insts {
        emissions_f(w, inst, &mut em);
        pred.resize(inst.gold.len(), 0);
        viterbi_f(&em, w, nfeat, &mut pred);
        let g = decode(&inst.gold);
        let p = decode(&pred);
        c.gold += g.len();
        c.predicted += p.len();
        c.correct += p.iter().filter(|e| g.contains(e)).count();
    }
    c
}

/// xorshift64*: tiny, seedable, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Trains one stage. With `dev`, keeps the epoch with the best dev F1 and stops after
/// `patience` epochs without improvement; without, runs exactly `epochs`.
fn train_stage(
    nfeat: usize,
    train: &[&Inst],
    dev: Option<&[Inst]>,
    epochs: usize,
    cfg: &TrainConfig,
    log: &mut dyn FnMut(String),
    name: &str,
) -> (Vec<f32>, usize, f64) {
    let mut p = Perceptron::new(nfeat);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut rng = Rng(cfg.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let (mut em, mut pred) = (Vec::new(), Vec::new());
    let mut best = (Vec::new(), 0usize, -1.0f64);
    for epoch in 1..=epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            p.train_one(train[i], &mut em, &mut pred);
        }
        let Some(dev) = dev else {
            continue;
        };
        let avg = p.averaged();
        let c = f1_of(&avg, nfeat, dev);
        log(format!(
            "{name} epoch {epoch:2}: dev P {:.2} R {:.2} F1 {:.2}",
            c.precision(),
            c.recall(),
            c.f1()
        ));
        if c.f1() > best.2 {
            best = (avg, epoch, c.f1());
        } else if epoch >= best.1 + cfg.patience {
            log(format!(
                "{name}: stopping early; best epoch {} (F1 {:.2})",
                best.1, best.2
            ));
            break;
        }
    }
    if dev.is_none() {
        let _ = p.current();
        return (p.averaged(), epochs, 0.0);
    }
    best
}

fn stage_weights(keys: &[u64], w: &[f32]) -> StageWeights {
    let nfeat = keys.len();
    StageWeights {
        keys: keys.to_vec(),
        w: w[..nfeat * NL].to_vec(),
        trans: w[nfeat * NL..(nfeat + NL) * NL].to_vec(),
        start: w[(nfeat + NL) * NL..(nfeat + NL + 1) * NL].to_vec(),
        end: w[(nfeat + NL + 1) * NL..(nfeat + NL + 2) * NL].to_vec(),
    }
}

fn read_list(path: &std::path::Path) -> Result<String, TaggerError> {
    std::fs::read_to_string(path).map_err(|source| TaggerError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Marks every phrase of the company and brand lists as an organisation seen in training
/// too (`train_ORG`), for the saved model and the dev set only (`TrainConfig::lists_as_org`).
fn lists_as_org(g: &mut Gazetteer) {
    let lists: u16 = CATEGORIES
        .iter()
        .enumerate()
        .filter(|(_, c)| ["org_companies", "org_brands"].contains(c))
        .fold(0, |m, (i, _)| m | 1 << i);
    let org = TRAIN_BASE + crate::labels::type_index("ORG").unwrap_or(1);
    for m in g.phrases.values_mut() {
        if *m & lists != 0 {
            *m |= 1 << org;
        }
    }
}

/// Reads a clusters file: one `word<TAB>path` per line, the path a string of 0/1 bits
/// (Brown-style) of up to 32 bits, stored left-aligned.
fn read_clusters(path: &std::path::Path) -> Result<IdMap<u32>, TaggerError> {
    let text = read_list(path)?;
    let mut out = IdMap::default();
    for line in text.lines() {
        let mut cols = line.split('\t');
        let (Some(w), Some(bits)) = (cols.next(), cols.next()) else {
            continue;
        };
        let mut v = 0u32;
        for (i, b) in bits.bytes().take(31).enumerate() {
            if b == b'1' {
                v |= 1 << (31 - i);
            }
        }
        // The length marker bit keeps "01" and "010" distinct at depth 3.
        let len = bits.len().min(31) as u32;
        v |= 1 << (31 - len);
        out.insert(crate::features::lower_hash(w), v);
    }
    Ok(out)
}

/// Trains a tagger on `train`, tuning on `dev` and calibrating its scores there; `log`
/// receives one line per epoch.
pub fn train(
    train: &ConllFile,
    dev: &ConllFile,
    cfg: &TrainConfig,
    log: &mut dyn FnMut(String),
) -> Result<Tagger, TaggerError> {
    let base = prepare(train, cfg.folds);
    let copies = if cfg.title_case {
        title_copies(&base)
    } else {
        Vec::new()
    };
    let mut tdocs = base;
    // A copy stays in its source document's fold, so neither the harvested strings nor
    // the jackknife see a headline from the other side of the split.
    for c in &copies {
        let fold = tdocs[c.src].fold;
        tdocs.push(DocData {
            words: c.words.iter().map(String::as_str).collect(),
            sents: c.sents.clone(),
            gold: c.gold.clone(),
            fold,
        });
    }
    let ddocs = prepare(dev, 1);
    let clusters = match &cfg.clusters {
        Some(p) => read_clusters(p)?,
        None => IdMap::default(),
    };
    let mut ext = Gazetteer::default();
    if let Some(dir) = &cfg.gazetteers {
        for (c, name) in CATEGORIES
            .iter()
            .enumerate()
            .filter(|(c, _)| is_external(*c))
        {
            let text = read_list(&dir.join(format!("{name}.txt")))?;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                ext.insert_text(line, c);
            }
        }
    }
    // Harvested entity strings, per fold, as lowercase token hashes.
    let mut harvested: Vec<Vec<(Vec<u64>, usize)>> = vec![Vec::new(); cfg.folds.max(1)];
    if cfg.harvest {
        for d in &tdocs {
            for e in decode(&d.gold) {
                let lowers = d.words[e.tokens]
                    .iter()
                    .map(|w| crate::features::lower_hash(w))
                    .collect();
                harvested[d.fold].push((lowers, e.ty));
            }
        }
    }
    let with_folds = |skip: Option<usize>| {
        let mut g = ext.clone();
        if skip.is_none() && cfg.lists_as_org {
            lists_as_org(&mut g);
        }
        for (f, list) in harvested.iter().enumerate() {
            if Some(f) != skip {
                for (l, t) in list {
                    g.insert(l, TRAIN_BASE + t);
                }
            }
        }
        g
    };
    let full = with_folds(None);
    let fold_gaz: Vec<Gazetteer> = (0..cfg.folds.max(1)).map(|f| with_folds(Some(f))).collect();
    let tctx: Vec<DocCtx> = tdocs
        .iter()
        .map(|d| DocCtx::new(&d.words, &d.sents, &fold_gaz[d.fold]))
        .collect();
    let dctx: Vec<DocCtx> = ddocs
        .iter()
        .map(|d| DocCtx::new(&d.words, &d.sents, &full))
        .collect();
    log(format!(
        "{} training documents, {} dev documents",
        tdocs.len(),
        ddocs.len()
    ));

    // Stage 1.
    let rare = {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for w in tdocs.iter().flat_map(|d| d.words.iter()) {
            *counts.entry(w).or_default() += 1;
        }
        counts
            .into_iter()
            .filter(|(_, c)| *c <= cfg.rare_words)
            .map(|(w, _)| w)
            .collect()
    };
    let mut ex = Extractor {
        clusters: &clusters,
        bases: HashMap::new(),
        rare,
    };
    let mut int1 = Interner::default();
    let mut tr1 = Vec::new();
    for (d, doc) in tdocs.iter().enumerate() {
        ex.doc(d, doc, &tctx[d], None, &mut int1, true, &mut tr1);
    }
    let mut dv1 = Vec::new();
    for (d, doc) in ddocs.iter().enumerate() {
        ex.doc(d, doc, &dctx[d], None, &mut int1, false, &mut dv1);
    }
    let nfeat1 = int1.keys.len();
    log(format!("stage 1: {nfeat1} features"));
    let refs: Vec<&Inst> = tr1.iter().collect();
    let (w1, epochs1, f1) = train_stage(nfeat1, &refs, Some(&dv1), cfg.epochs, cfg, log, "stage 1");
    log(format!("stage 1: best epoch {epochs1}, dev F1 {f1:.2}"));
    let mut stages = vec![stage_weights(&int1.keys, &w1)];

    if cfg.stacking {
        // Jackknifed first-stage labels for the training documents.
        let mut tlabels: Vec<Vec<u8>> = tdocs.iter().map(|d| vec![0; d.words.len()]).collect();
        for f in 0..cfg.folds.max(1) {
            let part: Vec<&Inst> = tr1.iter().filter(|i| tdocs[i.doc].fold != f).collect();
            let held: Vec<&Inst> = tr1.iter().filter(|i| tdocs[i.doc].fold == f).collect();
            let (wf, _, _) = train_stage(nfeat1, &part, None, epochs1, cfg, log, "jackknife");
            label_all(&wf, nfeat1, &held, &mut tlabels);
            log(format!("jackknife fold {f} labelled"));
        }
        let mut dlabels: Vec<Vec<u8>> = ddocs.iter().map(|d| vec![0; d.words.len()]).collect();
        let drefs: Vec<&Inst> = dv1.iter().collect();
        label_all(&w1, nfeat1, &drefs, &mut dlabels);
        drop(tr1);
        drop(dv1);
        let mut int2 = Interner::default();
        let mut tr2 = Vec::new();
        for (d, doc) in tdocs.iter().enumerate() {
            let st = Stack::new(std::mem::take(&mut tlabels[d]), &tctx[d]);
            ex.doc(d, doc, &tctx[d], Some(&st), &mut int2, true, &mut tr2);
        }
        let mut dv2 = Vec::new();
        for (d, doc) in ddocs.iter().enumerate() {
            let st = Stack::new(std::mem::take(&mut dlabels[d]), &dctx[d]);
            ex.doc(d, doc, &dctx[d], Some(&st), &mut int2, false, &mut dv2);
        }
        let nfeat2 = int2.keys.len();
        log(format!("stage 2: {nfeat2} features"));
        let refs: Vec<&Inst> = tr2.iter().collect();
        let (w2, e2, f2) = train_stage(nfeat2, &refs, Some(&dv2), cfg.epochs, cfg, log, "stage 2");
        log(format!("stage 2: best epoch {e2}, dev F1 {f2:.2}"));
        stages.push(stage_weights(&int2.keys, &w2));
    }

    // Words seen at least twice get their scores cached at load; rarer ones are rare at
    // run time too, and leaving them out keeps loading fast.
    let min_count: usize = std::env::var("VOCAB_MIN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in tdocs.iter().flat_map(|d| d.words.iter()) {
        *counts.entry(w).or_default() += 1;
    }
    let mut vocab: Vec<String> = counts
        .into_iter()
        .filter(|(w, c)| *c >= min_count && w.len() < 256)
        .map(|(w, _)| w.to_string())
        .collect();
    vocab.sort_unstable();
    let model = Model::from_parts(full, clusters, vocab, &stages);
    let tagger = Tagger::from_model(model);
    // Calibrate on the whole dev set: the temperature that makes the span marginals
    // probabilities (see `calibration`); it is stored with the model.
    let t = crate::calibration::fit_temperature(&tagger, dev, &|_| true);
    log(format!("calibration: temperature {t:.3}"));
    Ok(tagger.with_temperature(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_and_brand_lists_count_as_organisations_seen_in_training() {
        let cat = |n: &str| CATEGORIES.iter().position(|c| *c == n).unwrap();
        let mut g = Gazetteer::default();
        g.insert_text("T. Rowe Price", cat("org_companies"));
        g.insert_text("Google", cat("org_brands"));
        g.insert_text("Paris", cat("loc_cities"));
        lists_as_org(&mut g);
        let mask = |p: &str| {
            let lowers: Vec<u64> = p
                .split_whitespace()
                .map(crate::features::lower_hash)
                .collect();
            g.phrases[&crate::gazetteer::phrase_hash(lowers)]
        };
        let org = 1 << cat("train_ORG");
        assert_ne!(mask("T. Rowe Price") & org, 0);
        assert_ne!(mask("Google") & org, 0);
        assert_eq!(mask("Paris") & org, 0);
    }

    #[test]
    fn rare_words_train_without_their_identity() {
        let none = IdMap::default();
        let tok = Tok::new("Gigya");
        let all = training_bases("Gigya", &none, false);
        let rare = training_bases("Gigya", &none, true);
        assert!(all.iter().any(|&(b, _)| b == tok.word));
        assert!(all.iter().any(|&(b, _)| b == tok.lower));
        assert!(!rare.iter().any(|&(b, _)| b == tok.word || b == tok.lower));
        assert!(rare.iter().any(|&(b, _)| b == tok.shape));
        assert_eq!(all.len(), rare.len() + 2);
    }

    #[test]
    fn title_case_copies_follow_the_headline_style() {
        let small = ["for", "of"];
        let words = [
            "NOKIA",
            "STRIKES",
            "DEAL",
            "FOR",
            "ST-ERICSSON",
            "1996",
            "OF",
        ];
        let t = |s| {
            words
                .iter()
                .enumerate()
                .map(|(i, w)| title_word(w, i == 0, s))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            t(Some(&small[..])),
            "Nokia Strikes Deal for St-Ericsson 1996 of"
        );
        assert_eq!(t(None), "Nokia Strikes Deal For St-Ericsson 1996 Of");
        assert_eq!(title_word("OF", true, Some(&small[..])), "Of");
    }
}
