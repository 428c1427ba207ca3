#!/usr/bin/env python3
"""Snippet precision/recall/F1 on trafilatura's evaluation pages, scored the way
trafilatura's own evaluation scores extractors, for trafilatura itself and for the JSON
lines of `newsflow extract`, side by side, on the tuning half (even pages in key order), the
check half (odd pages) and all pages.

    scripts/extract_eval.py [--newsflow OUT.jsonl] [--trafilatura] [--dir DIR]

OUT.jsonl comes from `newsflow extract DIR/pages > OUT.jsonl`; its `id` is the page file's
stem (the evaldata key). DIR defaults to $NEWSFLOW_SHARED/data/web/trafilatura_eval.
"""
import argparse
import gzip
import json
import os
import sys
import time


def score(text, item):
    tp = fp = fn = tn = 0
    for s in item["with"]:
        if text is not None and s in text:
            tp += 1
        else:
            fn += 1
    for s in item["without"]:
        if text is not None and s in text:
            fp += 1
        else:
            tn += 1
    return tp, fp, fn, tn


def report(name, texts, keys, data):
    parts = {"tune": [0] * 4, "check": [0] * 4, "all": [0] * 4}
    for i, key in enumerate(keys):
        counts = score(texts.get(key), data[key])
        for part in ("check" if i % 2 == 1 else "tune", "all"):
            parts[part] = [a + b for a, b in zip(parts[part], counts)]
    for part, (tp, fp, fn, tn) in parts.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{name:12} {part:9} precision {p:.3f} recall {r:.3f} f1 {f:.3f}  tp={tp} fp={fp} fn={fn} tn={tn}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=os.path.join(os.environ.get("NEWSFLOW_SHARED", "../shared"), "data/web/trafilatura_eval"))
    ap.add_argument("--newsflow", help="JSON lines from `newsflow extract`")
    ap.add_argument("--trafilatura", action="store_true", help="run trafilatura on every page")
    args = ap.parse_args()
    with open(os.path.join(args.dir, "evaldata.json"), encoding="utf-8") as f:
        data = json.load(f)
    keys = sorted(data)
    if args.newsflow:
        texts = {}
        with open(args.newsflow, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if "text" in row:
                    texts[os.path.basename(row["id"]).split(".")[0]] = row["text"]
        report("newsflow", texts, keys, data)
    if args.trafilatura:
        import trafilatura

        texts = {}
        start = time.perf_counter()
        for key in keys:
            with gzip.open(os.path.join(args.dir, "pages", key + ".html.gz")) as f:
                html = f.read()
            texts[key] = trafilatura.extract(html, url=data[key]["url"])
        secs = time.perf_counter() - start
        print(f"trafilatura {trafilatura.__version__}: {len(keys)} pages in {secs:.1f} s, {len(keys) / secs:.0f} pages/s (in process)", file=sys.stderr)
        report("trafilatura", texts, keys, data)


if __name__ == "__main__":
    main()
