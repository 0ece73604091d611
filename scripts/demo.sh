#!/usr/bin/env bash
# Installs what building bgpfa needs, builds the bgpfa binary (build/app/bgpfa), and replays the
# bundled failover capture, printing the report. Install and build output go to a log file.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
log="$PWD/build/demo-setup.log"
: >"$log"
echo "bgpfa demo: installing build dependencies and building build/app/bgpfa (log: $log)" >&2
step() {
  if ! "$@" >>"$log" 2>&1; then
    echo "bgpfa demo: failed: $* (last lines of $log):" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
}
step scripts/deps.sh build
# The tests need Catch2, which the demo does not install: configure without them unless present
# (scripts/test.sh turns them back on).
tests=()
dpkg-query -W -f='${Status}' catch2 2>/dev/null | grep -q "install ok installed" || tests=(-DBGPFA_TESTS=OFF)
step env BGPFA_TARGET=bgpfa scripts/build.sh "${tests[@]}"
exec build/app/bgpfa replay -c fixtures/failover/bgpfa.conf fixtures/failover/capture.mrt
