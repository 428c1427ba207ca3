#!/usr/bin/env python3
"""Builds a Title-Case headline dev set from a CoNLL file (eng.testa):

    python3 scripts/title_case_headlines.py ../shared/data/conll2003/eng.testa OUT_PREFIX

CoNLL-2003 headlines are ALL CAPS; feeds write them in Title Case. Every sentence of three
or more words whose letters are all upper case is a headline; each document becomes a
document of its headlines only, written twice: OUT_PREFIX.caps.conll as they are and
OUT_PREFIX.title.conll Title-Cased (each word capitalised, short function words lowercase
except first). `newsflow eval --conll` on the two gives the F1 gap Title Case costs.
"""

import sys

import os

# The one list of words Title Case leaves lowercase, shared with `newsflow train`.
_LIST = os.path.join(os.path.dirname(__file__), "..", "data", "abbreviations", "title_case_lower.txt")
SMALL = {
    line.strip()
    for line in open(_LIST, encoding="utf-8")
    if line.strip() and not line.startswith("#")
}


def title(word, first):
    if not any(c.isalpha() for c in word):
        return word
    low = word.lower()
    if not first and low in SMALL:
        return low
    return "-".join(p[:1].upper() + p[1:] for p in low.split("-"))


def main():
    src, prefix = sys.argv[1:3]
    docs, doc, sent = [], [], []
    for line in open(src, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("-DOCSTART-"):
            if sent:
                doc.append(sent)
                sent = []
            if doc:
                docs.append(doc)
            doc = []
        elif not line.strip():
            if sent:
                doc.append(sent)
                sent = []
        else:
            sent.append(line.split(" "))
    if sent:
        doc.append(sent)
    if doc:
        docs.append(doc)
    n = 0
    with open(prefix + ".caps.conll", "w") as caps, open(prefix + ".title.conll", "w") as tc:
        for d in docs:
            heads = [
                s for s in d
                if len(s) >= 3
                and any(c.isalpha() for t in s for c in t[0])
                and all(t[0].upper() == t[0] for t in s)
            ]
            if not heads:
                continue
            caps.write("-DOCSTART- -X- O O\n\n")
            tc.write("-DOCSTART- -X- O O\n\n")
            for s in heads:
                n += 1
                for i, t in enumerate(s):
                    caps.write(" ".join(t) + "\n")
                    tc.write(" ".join([title(t[0], i == 0)] + t[1:]) + "\n")
                caps.write("\n")
                tc.write("\n")
    print(f"{n} headlines")


if __name__ == "__main__":
    main()
