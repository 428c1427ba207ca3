#!/usr/bin/env python3
"""Derives data/gazetteers/org_brands.txt from the simple-icons brand lists.

Usage (the package is CC0-1.0, fetched once by name and version, nothing at run time):
    mkdir -p /tmp/si16 /tmp/si9
    (cd /tmp/si16 && npm pack simple-icons@16.37.0 && tar xzf simple-icons-16.37.0.tgz)
    (cd /tmp/si9 && npm pack simple-icons@9.21.0 && tar xzf simple-icons-9.21.0.tgz)
    python3 scripts/build_brand_gazetteer.py ../shared/data/news crates/resolve/src/names.rs \
        data/gazetteers/org_brands.txt /tmp/si16/package/data/simple-icons.json \
        /tmp/si9/package/_data/simple-icons.json

simple-icons names ~3,500 brands of the 2010s and 2020s (companies, products, apps, web
services: Google, Gmail, Twitter, Facebook, Cloudflare, Asana), which the exchange listings
of org_companies.txt do not (they have Alphabet and Meta Platforms). Version 9.21.0 is read
beside the current one because later versions dropped, on their owners' request, the icons
of Amazon, LinkedIn, Microsoft, IBM, Nintendo and a few hundred more; the names are what
we need, not the icons. Each title and its "aka", "dup" and "old" aliases becomes a phrase,
cut and cleaned the way build_org_gazetteer.py cuts a listing (its designator stripping and
its test of an ordinary word, imported from there so the rule lives in one place). On top
of that a name is dropped when it is written all lowercase (npm, curl, bat: capitalised at
a sentence start, that is a word, not the brand), when it has fewer than three letters
("X", "Go"), when every word of it is an ordinary lowercase word of the news ("Open
Collective"-type names read as text), or when it is already a country, a region or a first
name in the lists beside the output and not a listed company (Jordan, Iceland, Max:
eng.train has them as LOC and PER far more often than as a brand). Cities are not held
against a brand: Honda, Toyota, Nokia and Kingston are towns too.

The list does not say company or product. The committed model is trained with
`newsflow train --brands-as-org`: the brand bit is learnt from its eng.train matches, and
the saved model also counts a brand as an organisation seen in training (see
crates/tagger/README.md).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build_org_gazetteer import company, designators, news_counts, write_phrases  # noqa: E402


def names(icon):
    yield icon.get("title", "")
    aliases = icon.get("aliases") or {}
    yield from aliases.get("aka", [])
    yield from aliases.get("old", [])
    for dup in aliases.get("dup", []):
        yield dup.get("title", "")


def ordinary(word, lower, upper):
    lw = word.lower()
    return lower[lw] >= max(1, upper[lw])


def listed(folder):
    """Lowercased phrases of the country, region and first-name lists in `folder` that are not also
    listed companies there."""

    def read(name):
        with open(os.path.join(folder, name + ".txt"), encoding="utf-8") as f:
            return {line.strip().lower() for line in f if line.strip()}

    seen = set()
    for name in ("loc_countries", "loc_regions", "per_first"):
        seen |= read(name)
    return seen - read("org_companies")


def main():
    news, names_rs, out = sys.argv[1:4]
    drop = designators(names_rs)
    lower, upper = news_counts(news)
    taken = listed(os.path.dirname(os.path.abspath(out)))
    phrases = set()
    for path in sys.argv[4:]:
        data = json.load(open(path, encoding="utf-8"))
        # Version 9 wraps the list in {"icons": [...]}.
        for icon in data["icons"] if isinstance(data, dict) else data:
            for name in names(icon):
                if not name.isascii():
                    continue
                toks = company(name, drop)
                if not toks or len(toks) > 6:
                    continue
                if not any(c.isupper() for c in name):
                    continue
                letters = sum(c.isalpha() for c in "".join(toks))
                if letters < 3 or not toks[0][0].isalnum():
                    continue
                if all(ordinary(t, lower, upper) or not t[0].isalpha() for t in toks):
                    continue
                phrase = " ".join(toks)
                if phrase.lower() in taken:
                    continue
                phrases.add(phrase)
                if any("'s" in t for t in toks):
                    phrases.add(" ".join(t.replace("'s", " 's") for t in toks))
    write_phrases(out, phrases)


if __name__ == "__main__":
    main()
