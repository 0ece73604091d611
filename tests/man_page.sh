#!/usr/bin/env bash
# bgpfa(8) and the bash completion know every subcommand and every option `--help` lists, and the
# page renders without groff warnings. Usage: man_page.sh BGPFA MAN_PAGE COMPLETION
set -euo pipefail
bgpfa="$1" page="$2" completion="$3"
fail=0
# The .SS section of the page about a subcommand, as plain text with roff's \- as -.
section() { sed 's/\\-/-/g' "$page" | awk -v t="$1" '/^\.SS/ { on = index($0, t) == 5 } on'; }
for cmd in "mrt dump" check-config replay compare-azure serve peers paths lookup watch what-if report; do
  case "$cmd" in
    peers|paths|lookup|watch|what-if|report) text="$(section '"Clients of a running serve"')" ;;
    *) text="$(section "\"${cmd}")" ;;
  esac
  [[ -n "$text" ]] || { echo "FAIL: $page has no section for $cmd"; fail=1; continue; }
  grep -qw -- "${cmd##* }" <<<"$text" || { echo "FAIL: $page does not name $cmd"; fail=1; }
  # $cmd unquoted on purpose: "mrt dump" is two words.
  # shellcheck disable=SC2086
  options="$("$bgpfa" $cmd --help | sed -n 's/^  \(-[^ ]*\).*/\1/p' | tr ',' '\n' | { grep -vx -- '-h\|--help' || true; })"
  arm="$(grep -E "^ +\"?${cmd}\"?\) opts=" "$completion" || true)"
  [[ -n "$arm" ]] || { echo "FAIL: $completion has no options for $cmd"; fail=1; }
  for o in $options; do
    grep -qE -- "(^|[^a-z-])${o}([^a-z-]|$)" <<<"$text" || { echo "FAIL: $page: $cmd $o is not described"; fail=1; }
    [[ " ${arm#*opts=\"} " == *" $o "* ]] || { echo "FAIL: $completion: $cmd $o is not completed"; fail=1; }
  done
done
commands="$("$bgpfa" --help | sed -n '/^Subcommands:/,$ s/^  \([a-z-]*\) .*/\1/p')"
for c in $commands; do
  grep -q "commands=\".*\b$c\b" "$completion" || { echo "FAIL: $completion does not complete the command $c"; fail=1; }
done
# The completion function itself, as bash calls it.
completes() {
  local want="$1"; shift
  got="$(bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _bgpfa; echo "${COMPREPLY[*]}"' \
         _ "$completion" "$@" 2>&1)"
  [[ "$got" == "$want" ]] || { echo "FAIL: completing \"$*\": \"$got\", expected \"$want\""; fail=1; }
}
completes "replay report" bgpfa re
completes "dump" bgpfa mrt d
completes "--json" bgpfa mrt dump --js
completes "text json html" bgpfa replay -c x.conf --report ""
completes "--no-snapshot" bgpfa watch --no
completes "--capture" bgpfa serve --cap
if command -v groff >/dev/null; then
  warnings="$(groff -man -ww -z "$page" 2>&1)"
  [[ -z "$warnings" ]] || { echo "FAIL: groff warnings: $warnings"; fail=1; }
fi
((fail == 0)) && echo "ok: every subcommand and option in $(basename "$page") and the completion"
exit "$fail"
