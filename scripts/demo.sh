#!/usr/bin/env bash
# Installs dependencies, builds, and replays the bundled failover capture, printing the report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
exec build/app/bgpfa replay -c fixtures/failover/bgpfa.conf fixtures/failover/capture.mrt
