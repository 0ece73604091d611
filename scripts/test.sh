#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/build.sh -DBGPFA_TESTS=ON
ctest --test-dir build --output-on-failure -j"$(nproc)"
