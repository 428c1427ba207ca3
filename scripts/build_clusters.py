#!/usr/bin/env python3
"""Learns word clusters for the tagger from unlabelled news text, offline.

Usage:
    /tmp/gazvenv/bin/pip install numpy
    newsflow extract $NEWSFLOW_SHARED/data/web/trafilatura_eval/pages > /tmp/pages.jsonl
    newsflow run -q --languages en $NEWSFLOW_SHARED/data/web/pages_sample.warc.gz > /tmp/warc.jsonl
    /tmp/gazvenv/bin/python scripts/build_clusters.py $NEWSFLOW_SHARED data/clusters/news.tsv \
        /tmp/pages.jsonl /tmp/warc.jsonl

Words (lowercased) are described by the words seen just left and right of them in
../shared/data/news (Reuters 1987, BBC 2004-05; about 3.6 M tokens) plus the text of
eng.train and of any further JSON Lines files given (web pages through `newsflow extract` or
`newsflow run`: their English records' title and text, except the pages the modern-names
set in data/ner_modern labels, so its scores stay out of sample); the count vectors are weighted by positive PMI, reduced to 100 dimensions
(eigenvectors of the context Gram matrix), normalised, and split by recursive 2-means
into a binary tree 10 levels deep. Each word's path in the tree ("0110...") is its cluster:
prefixes of the path give coarse to fine classes, as Brown clusters do. Deterministic
(fixed seed). Output: one `word<TAB>path` per line.
"""

import collections
import json
import os
import re
import sys

import numpy as np

TOKEN = re.compile(r"[A-Za-z\u00C0-\u024F0-9]+(?:[-'.&][A-Za-z\u00C0-\u024F0-9]+)*\.?|[^\s]")
VOCAB = 40000       # most frequent words that get a cluster
MIN_COUNT = 3       # rarer words have too little context to place
CONTEXTS = 1500     # most frequent words used as left/right context features
DIMS = 100
DEPTH = 10


def labelled_pages():
    """File names of the web pages data/ner_modern scores, kept out of the cluster text."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "ner_modern")
    names = set()
    for part in ("dev.tsv", "check.tsv"):
        path = os.path.join(here, part)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    names.add(os.path.basename(line.split("\t", 1)[0]))
    return names


def paragraphs(rec):
    for part in (rec.get("title") or "", rec.get("body") or rec.get("text") or ""):
        yield from part.split("\n")


def sentences(shared, extra=()):
    skip = labelled_pages()
    for path in extra:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if rec.get("lang") not in (None, "en"):
                    continue
                if os.path.basename(str(rec.get("id") or "")) in skip:
                    continue
                for para in paragraphs(rec):
                    toks = TOKEN.findall(para)
                    if toks:
                        yield toks
    news = os.path.join(shared, "data", "news")
    for name in sorted(os.listdir(news)):
        if not name.endswith(".jsonl"):
            continue
        with open(os.path.join(news, name), encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                for part in (rec.get("title") or "", rec.get("body") or ""):
                    for para in part.split("\n"):
                        toks = TOKEN.findall(para)
                        if toks:
                            yield toks
    sent = []
    with open(os.path.join(shared, "data", "conll2003", "eng.train"), encoding="utf-8") as f:
        for line in f:
            cols = line.split()
            if not cols or cols[0] == "-DOCSTART-":
                if sent:
                    yield sent
                sent = []
            else:
                sent.append(cols[0])
    if sent:
        yield sent


def two_means(x, rng, iters=12):
    """Splits rows of x (unit vectors) into two groups; returns a boolean mask."""
    if len(x) < 2:
        return np.zeros(len(x), dtype=bool)
    c = x[rng.choice(len(x), 2, replace=False)]
    mask = np.zeros(len(x), dtype=bool)
    for _ in range(iters):
        sims = x @ c.T
        mask = sims[:, 1] > sims[:, 0]
        if mask.all() or (~mask).all():
            break
        c = np.stack([x[~mask].mean(0), x[mask].mean(0)])
        c /= np.linalg.norm(c, axis=1, keepdims=True) + 1e-9
    return mask


def main():
    shared, out, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    sents = [[t.lower() for t in s] for s in sentences(shared, extra)]
    counts = collections.Counter(t for s in sents for t in s)
    words = [w for w, c in counts.most_common(VOCAB) if c >= MIN_COUNT and any(ch.isalpha() for ch in w)]
    index = {w: i for i, w in enumerate(words)}
    ctx_words = [w for w, _ in counts.most_common(CONTEXTS)]
    cindex = {w: i for i, w in enumerate(ctx_words)}
    rows, cols = [], []
    for s in sents:
        padded = ["<s>"] + s + ["</s>"]
        for j in range(1, len(padded) - 1):
            i = index.get(padded[j])
            if i is None:
                continue
            left = cindex.get(padded[j - 1])
            right = cindex.get(padded[j + 1])
            if left is not None:
                rows.append(i)
                cols.append(left)
            if right is not None:
                rows.append(i)
                cols.append(CONTEXTS + right)
    m = np.zeros((len(words), 2 * CONTEXTS), dtype=np.float64)
    np.add.at(m, (np.array(rows), np.array(cols)), 1.0)
    total = m.sum()
    pw = m.sum(1, keepdims=True) / total
    pc = m.sum(0, keepdims=True) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log((m / total) / (pw * pc))
    m = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)
    gram = m.T @ m
    vals, vecs = np.linalg.eigh(gram)
    x = m @ vecs[:, -DIMS:]
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-9
    rng = np.random.default_rng(1)
    paths = [""] * len(words)
    groups = [np.arange(len(words))]
    for _ in range(DEPTH):
        nxt = []
        for g in groups:
            mask = two_means(x[g], rng)
            for bit, sub in (("0", g[~mask]), ("1", g[mask])):
                for i in sub:
                    paths[i] += bit
                if len(sub):
                    nxt.append(sub)
        groups = nxt
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for w, p in zip(words, paths):
            f.write(f"{w}\t{p}\n")
    print(f"{len(words)} words, {len(groups)} clusters -> {out}")


if __name__ == "__main__":
    main()
