#!/usr/bin/env bash
# Compares bgpfa mrt dump with the installed bgpdump for every option combination on the shared
# fixtures. Skips (exit 0 with a message) when bgpdump or ../shared is absent. Excluded, on
# purpose: updates.nlri_mask_trailing_bits (Debian's bgpdump predates trailing-bit masking),
# bird_bgp (mislabelled ADD-PATH: bgpdump prints nonsense), and -t change on TABLE_DUMP_V2
# (bgpdump reads a dangling pointer there).
set -uo pipefail
bgpfa=$1
shared=$2
command -v bgpdump >/dev/null || { echo "skipped: bgpdump is not installed"; exit 0; }
[[ -d $shared/fixtures/mrt ]] || { echo "skipped: $shared/fixtures/mrt is absent"; exit 0; }
fail=0
for f in "$shared"/fixtures/mrt/ris/* "$shared"/fixtures/mrt/samples/*; do
  case $f in *bgpdump-vm*|*nlri_mask_trailing_bits*|*/bird_bgp) continue ;; esac
  first=$(bgpdump -m "$f" 2>/dev/null | head -1)
  for opt in "-m" "-M" "-m -p" "-m -l" "-m -u" "-M -p -l -u" "-m -t change"; do
    if [[ $opt == *change* && $first == TABLE_DUMP2* ]]; then continue; fi
    if ! cmp -s <("$bgpfa" mrt dump $opt "$f" 2>/dev/null) <(bgpdump $opt "$f" 2>/dev/null); then
      echo "DIFF: bgpfa mrt dump $opt $f"
      fail=1
    fi
  done
done
exit $fail
