#!/usr/bin/env python3
"""Derives data/gazetteers/org_companies.txt from the US exchange listings.

Usage (no packages needed):
    python3 scripts/build_org_gazetteer.py ../shared/data/lexicons ../shared/data/news \
        crates/resolve/src/names.rs data/gazetteers/org_companies.txt

The listings (NASDAQ, NYSE and other exchanges' symbol directories, public domain) name
securities, not companies: "Agilent Technologies, Inc. Common Stock". Each name is cut at
its security description ("Common Stock", "Class A", "ADS", ...), then the company
designators `resolve` drops ("Inc", "Corp", "Group", ...) are stripped from its end; that
list is read from crates/resolve/src/names.rs so it lives in one place. Funds, ETFs, notes
and other non-company securities are skipped. A one-word name that is an ordinary word
(seen lowercase in the unlabelled news at least as often as capitalised) is dropped, since
matching it would tag the word. Phrases are tokenised like the other gazetteers; a
possessive is also written split ("McDonald 's"), the way the CoNLL data tokenises it.
"""

import csv
import json
import os
import re
import sys
from collections import Counter

TOKEN = re.compile(r"[A-Za-z\u00C0-\u024F0-9]+(?:[-'.&][A-Za-z\u00C0-\u024F0-9]+)*\.?|[^\s]")

# Where a security's description starts: everything from here on is not the company.
SECURITY = re.compile(
    r"\s(?:-\s|Common Stock|Common Shares|Ordinary Shares|Class [A-Z]\b|Series [A-Z0-9]+\b|"
    r"American Depositary|Depositary|ADS\b|ADSs\b|ADR\b|Units?\b|Warrants?\b|Rights?\b|"
    r"Subordinate|Voting|Preferred|Perpetual|Shares\b|Common\b|\d+(?:\.\d+)?%)"
)
# Securities that are not a company's shares.
NOT_COMPANY = re.compile(
    r"\b(?:ETF|ETN|Fund|Notes?|Debentures?|Bonds?|Index|Portfolio|Municipal|Income Trust|"
    r"Acquisition|Acquisitions|SPAC|Trust Units|Exchange-Traded|Leveraged|Inverse)\b",
    re.I,
)


def designators(names_rs):
    text = open(names_rs, encoding="utf-8").read()
    block = text[text.index("const DESIGNATORS") :]
    block = block[: block.index("];")]
    return set(re.findall(r'"([a-z]+)"', block))


def news_counts(folder):
    lower, upper = Counter(), Counter()
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".jsonl"):
            continue
        for line in open(os.path.join(folder, name), encoding="utf-8"):
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            words = re.findall(r"[A-Za-z][A-Za-z'&-]*", rec.get("body", ""))
            for prev, w in zip(["."] + words, words):
                if w.islower():
                    lower[w] += 1
                elif w[0].isupper() and not w.isupper():
                    upper[w.lower()] += 1
    return lower, upper


def company(name, drop):
    cut = SECURITY.search(" " + name)
    if cut:
        name = (" " + name)[: cut.start()]
    toks = TOKEN.findall(name.strip())
    while toks and (toks[-1] in {",", ".", "-", "(", ")", "&"} or toks[-1].lower().rstrip(".") in drop):
        toks.pop()
    if toks and toks[0].lower() == "the":
        toks = toks[1:]
    if any(t in {"(", ")", "/"} for t in toks):
        return None
    return toks


def main():
    lexicons, news, names_rs, out = sys.argv[1:5]
    drop = designators(names_rs)
    lower, upper = news_counts(news)
    phrases = set()
    for fname, col in [("nasdaq-listed.csv", 1), ("nyse-listed.csv", 1), ("other-listed.csv", 1)]:
        with open(os.path.join(lexicons, fname), encoding="utf-8", newline="") as f:
            rows = csv.reader(f)
            header = next(rows)
            etf = header.index("ETF") if "ETF" in header else None
            for row in rows:
                if len(row) <= col or (etf is not None and len(row) > etf and row[etf] == "Y"):
                    continue
                name = row[col].strip()
                if not name or NOT_COMPANY.search(name):
                    continue
                toks = company(name, drop)
                if not toks:
                    continue
                if len(toks) == 1:
                    w = toks[0]
                    lw = w.lower()
                    if len(w) < 3 or lower[lw] >= max(1, upper[lw]):
                        continue
                if len(toks) > 6 or not any(c.isalpha() for c in "".join(toks)):
                    continue
                phrase = " ".join(toks)
                phrases.add(phrase)
                if any("'s" in t for t in toks):
                    phrases.add(" ".join(t.replace("'s", " 's") for t in toks))
    write_phrases(out, phrases)


def write_phrases(out, phrases):
    """Writes a gazetteer list: one phrase a line, sorted, so a rebuild diffs cleanly."""
    with open(out, "w", encoding="utf-8") as f:
        for p in sorted(phrases):
            f.write(p + "\n")
    print(f"{out}: {len(phrases)} phrases")


if __name__ == "__main__":
    main()
