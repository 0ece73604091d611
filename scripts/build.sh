#!/usr/bin/env bash
# Configures (Ninja, Release, ccache) and builds bgpfa into ./build. Extra args go to cmake.
# BGPFA_TARGET=bgpfa builds only that target (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd .. && pwd)}"  # worktrees at other paths share the cache
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build build ${BGPFA_TARGET:+--target "$BGPFA_TARGET"} -- -j"$(nproc)"
