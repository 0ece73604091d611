#!/usr/bin/env bash
# Installs dependencies, builds, and runs the main job on the bundled failover capture.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
exec build/app/bgpfa mrt dump -m fixtures/failover/capture.mrt
