#!/usr/bin/env bash
# Configures and builds xietong and its tests into build/ (Release with
# debug info), with ccache when present.
set -euo pipefail
cd "$(dirname "$0")/.."
# The compiler cache keys on paths relative to the checkout, so a second
# clone (or a worktree) reuses what the first compiled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
