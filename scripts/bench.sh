#!/usr/bin/env bash
# Builds xietong and runs `xietong bench --json` RUNS times (default 5),
# printing each run's JSON and then the median of the headline figures.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
bash scripts/build.sh
out="$(mktemp)"
for _ in $(seq "$runs"); do ./build/xietong bench --json | tee -a "$out"; done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for key in ("engine_claims_per_s", "settle_group_commit_per_s", "settle_txn_each_per_s"):
    values = [r[key] for r in rows]
    print(f"{key}: median {statistics.median(values):.0f} (min {min(values):.0f}, max {max(values):.0f})")
PY
rm -f "$out"
