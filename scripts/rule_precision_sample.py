#!/usr/bin/env python3
"""Draws the seeded sample of rule entities (DATE, TIME, MONEY, PERCENT) whose precision
sets their scores (data/rule_precision/README.md).

    python3 scripts/rule_precision_sample.py $NEWSFLOW_SHARED target/release/newsflow OUT_DIR

writes OUT_DIR/output.jsonl (newsflow run on every article of the shared news corpus) and
OUT_DIR/to_judge.tsv: per kind, PER_KIND entities drawn in seeded random order, each
with its article id, code point offsets, label and a window of context to judge by. The
judgement column is filled in by hand; the committed sample.tsv keeps ids, offsets, labels
and judgements only.
"""
import json
import random
import subprocess
import sys
from pathlib import Path

SEED = 16
PER_KIND = 60
KINDS = ["DATE", "TIME", "MONEY", "PERCENT"]
FILES = ["reuters21578.jsonl", "bbc_news_2004_2005.jsonl"]


def main() -> None:
    shared, binary, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    # Every article, so the rare kind (TIME: about one article in 150) has enough to draw.
    inputs = [str(shared / "data" / "news" / name) for name in FILES]
    subprocess.run(
        [binary, "run", "--ordered", "--sink", f"jsonl:{out / 'output.jsonl'}", *inputs],
        check=True,
    )
    found = {k: [] for k in KINDS}
    with open(out / "output.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            for e in rec.get("entities", []):
                if e["label"] in found:
                    found[e["label"]].append((rec["id"], e["start"], e["end"], e["label"], rec["text"]))
    with open(out / "to_judge.tsv", "w", encoding="utf-8") as f:
        f.write("id\tstart\tend\tlabel\tright\tcontext\n")
        for k in KINDS:
            pool = found[k]
            rng.shuffle(pool)
            for aid, s, e, label, text in pool[:PER_KIND]:
                ctx = (text[max(0, s - 60):s] + "[[" + text[s:e] + "]]" + text[e:e + 40]).replace("\n", " ").replace("\t", " ")
                f.write(f"{aid}\t{s}\t{e}\t{label}\t\t{ctx}\n")
            print(k, len(pool), file=sys.stderr)


if __name__ == "__main__":
    main()
