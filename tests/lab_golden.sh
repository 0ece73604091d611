#!/usr/bin/env bash
# Golden replays of failover-lab captures, without root: for each fixtures/lab/NAME (made by a
# lab test with FLAB_SAVE_FIXTURE=DIR), `bgpfa replay` of capture.mrt gives expected-report.json
# byte for byte, and lab/failover_check.py verify holds it against the run's ground truth kept
# beside it (steps.tsv: the harness's clock at each failure; truth.tsv: tshark's BGP messages);
# then that it fails when one UPDATE is 3 ms off tshark's time or a prediction is not the one expected.
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

# The checks can fail: a copy of one fixture whose ground truth is moved away from the capture.
fx=$(mktemp -d)
trap 'rm -f "$out"; rm -rf "$fx"' EXIT
must_fail() {  # WHAT PATTERN: verify of $fx fails, saying PATTERN
  if python3 "$src/lab/failover_check.py" verify "$fx/d" "$bgpfa" >"$fx/out" 2>&1; then
    echo "FAILED: failover_check.py verify passed with $1"
    exit 1
  fi
  grep -q -- "$2" "$fx/out" || { echo "FAILED: with $1, verify did not say \"$2\":"; tail -5 "$fx/out"; exit 1; }
  echo "ok: verify fails with $1"
}
fresh() { rm -rf "$fx/d"; cp -r "$src/fixtures/lab/failover_er" "$fx/d"; }
# One UPDATE from the primary edge router 3 ms later on the wire than in bgpfa's capture (the
# bound is 2 ms per UPDATE).
fresh
awk -F'\t' 'BEGIN {OFS = "\t"} !done && $2 == "10.255.11.2" && $4 == 2 {$1 = sprintf("%.6f", $1 + 0.003); done = 1} {print}' "$fx/d/truth.tsv" >"$fx/t"
mv "$fx/t" "$fx/d/truth.tsv"
must_fail "one UPDATE 3 ms off tshark's time" "UPDATE times: [0-9]* of [0-9]* more than 2.0 ms"
# A prediction other than the episode's (the first step: the hold-timer cut, 3/0/0).
fresh
awk -F'\t' 'BEGIN {OFS = "\t"} NR == 1 {$7 = "2/1/0"} {print}' "$fx/d/steps.tsv" >"$fx/t"
mv "$fx/t" "$fx/d/steps.tsv"
must_fail "an expected prediction the episode does not have" "expected matched/differed/unpredicted 2/1/0"
