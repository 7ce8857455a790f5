#!/usr/bin/env bash
# Every test: install, build, then CTest (unit tests, flow tests, the crash
# test, the command-line checks and the dataset's reproducibility check),
# then the browser journeys (tests/e2e/run.sh: Debian's chromium against a
# real server on 127.0.0.1, each role's pages end to end), then 20 seconds
# of fuzzing envelope decoding (scripts/fuzz.sh: clang, libFuzzer with ASan
# and UBSan, in build-fuzz/; a crash fails the run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
(cd data && npm ci --no-audit --no-fund --silent)
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 600
bash tests/e2e/run.sh
bash scripts/fuzz.sh 20
