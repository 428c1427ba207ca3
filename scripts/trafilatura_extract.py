#!/usr/bin/env python3
"""Whole-process speed reference for `newsflow extract`: trafilatura extracts every page
file given (gzip or not) and prints one JSON line per page, as `newsflow extract` does.

    taskset -c 0 /usr/bin/time scripts/trafilatura_extract.py DIR_OR_FILES... > out.jsonl
"""
import gzip
import json
import os
import sys

import trafilatura


def files(args):
    for arg in args:
        if os.path.isdir(arg):
            for name in sorted(os.listdir(arg)):
                yield os.path.join(arg, name)
        else:
            yield arg


def main():
    out = sys.stdout
    for path in files(sys.argv[1:]):
        with open(path, "rb") as f:
            data = f.read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        text = trafilatura.extract(data)
        out.write(json.dumps({"id": path, "text": text}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
