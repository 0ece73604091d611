#!/usr/bin/env bash
# Golden replays of failover-lab captures, without root: for each fixtures/lab/NAME (made by a
# lab test with FLAB_SAVE_FIXTURE=DIR), `bgpfa replay` of capture.mrt gives expected-report.json
# byte for byte, and lab/failover_check.py verify holds it against the run's ground truth kept
# beside it (steps.tsv: the harness's clock at each failure; truth.tsv: tshark's BGP messages).
# Usage: tests/lab_golden.sh BGPFA_BINARY SOURCE_DIR
set -euo pipefail
bgpfa=$1 src=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
n=0
for d in "$src"/fixtures/lab/*/; do
  d=${d%/}
  echo "=== $(basename "$d"): $(head -1 "$d/README" 2>/dev/null || true)"
  "$bgpfa" replay -q -c "$d/bgpfa.conf" --report json "$d/capture.mrt" >"$out"
  if ! cmp -s "$out" "$d/expected-report.json"; then
    echo "FAILED: the replay of $d/capture.mrt differs from expected-report.json:"
    diff "$d/expected-report.json" "$out" | head -20
    echo "(if the change is intended: bgpfa replay -q -c $d/bgpfa.conf --report json $d/capture.mrt >$d/expected-report.json)"
    exit 1
  fi
  echo "ok: replay equals expected-report.json"
  python3 "$src/lab/failover_check.py" verify "$d" "$bgpfa"
  n=$((n + 1))
done
((n >= 3)) || { echo "FAILED: expected at least 3 fixtures in $src/fixtures/lab, found $n"; exit 1; }
echo "ok: $n failover-lab captures"
