#!/usr/bin/env bash
# `newsflow bench` of two binaries, interleaved, 1 and 2 workers, three runs each: the
# side-by-side figures in BENCHMARKS.md. Usage: scripts/bench_side_by_side.sh OLD NEW
# (needs NEWSFLOW_SHARED for the reuters21578 corpus; run it on a quiet machine).
set -euo pipefail
old=$1 new=$2
echo "load: $(uptime)"
for w in 1 2; do
  for i in 1 2 3; do
    for bin in "$old" "$new"; do
      "$bin" bench --workers "$w" --sink jsonl:/tmp/bench-side-by-side.jsonl --json 2>/dev/null |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["tokens_per_sec"]), d["busy_seconds"])' |
        sed "s|^|w=$w run$i $bin tokens/s |"
    done
  done
done
echo "load: $(uptime)"
