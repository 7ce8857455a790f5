#!/usr/bin/env bash
# Builds xietong, then RUNS times (default 3): a fresh database, `xietong
# serve` on a free 127.0.0.1 port (access log on, to a file), a hospital key
# for every institution, and `xietong loadgen --json` against it (extra arguments go to loadgen); then the
# median of the headline figures. docs/benchmarks.md has the results.
# XIETONG_BUILD_DIR=DIR uses DIR/xietong as built, instead of building build/.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
shift || true
if [ -n "${XIETONG_BUILD_DIR:-}" ]; then
  xt="$XIETONG_BUILD_DIR/xietong"
else
  bash scripts/build.sh
  xt=./build/xietong
fi
dir="$(mktemp -d)"
out="$dir/results.jsonl"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
for run in $(seq "$runs"); do
  rm -f "$dir"/bench.db*
  "$xt" init --db "$dir/bench.db" >/dev/null
  "$xt" credentials issue --db "$dir/bench.db" --role hospital --all-institutions --label bench --json >"$dir/keys.jsonl"
  : >"$dir/serve.out"
  "$xt" serve --db "$dir/bench.db" --listen 127.0.0.1:0 >"$dir/serve.out" 2>"$dir/serve.log" &
  server_pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$dir/serve.out" && break; sleep 0.1; done
  target="$(sed -n 's|.*listening on http://\([0-9.]*:[0-9]*\).*|\1|p' "$dir/serve.out")"
  echo "run $run: server at $target" >&2
  "$xt" loadgen --target "$target" --credentials "$dir/keys.jsonl" --json "$@" | tee -a "$out"
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for key in ("flows_settlements_per_s", "settle_only_per_s", "paced_latency_p50_ms", "paced_latency_p99_ms",
            "paced_flows_per_s", "paced_flows_latency_p50_ms", "paced_flows_latency_p99_ms", "healthz_per_s",
            "prepare_requests_per_s"):
    values = [r[key] for r in rows]
    print(f"{key}: median {statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f})")
PY
