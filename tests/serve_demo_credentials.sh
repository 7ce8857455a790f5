#!/usr/bin/env bash
# `xietong serve --demo-credentials` as a newcomer meets it: eight keys are
# printed (three hospitals, three agencies, the resident, an operator); the
# two printed requests, pasted as they are, work; a request without a key is
# refused. Usage: serve_demo_credentials.sh XIETONG_BINARY WORK_DIR
set -euo pipefail
xt="$1"
dir="$2"
rm -rf "$dir"
mkdir -p "$dir"
"$xt" demo --db "$dir/demo.db" >/dev/null
"$xt" serve --db "$dir/demo.db" --listen 127.0.0.1:0 --demo-credentials --access-log false >"$dir/out" 2>"$dir/err" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "as the resident" "$dir/out" && break; sleep 0.1; done
test "$(grep -c '^  \(hospital\|agency\|resident\|admin\) ' "$dir/out")" = 8
hospital="$(grep -m1 'curl -s http://127.0.0.1:[0-9]*/fsi/api/callService' "$dir/out")"
resident="$(grep -m1 'curl -s http://127.0.0.1:[0-9]*/api/v1/settlements' "$dir/out")"
eval "$hospital" | grep -q '^{"infcode":0,'
eval "$resident" | grep -q '"settlements":\[{"setl_id"'
url="$(echo "$resident" | grep -o 'http://127.0.0.1:[0-9]*')"
test "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/settlements")" = 401
echo "serve --demo-credentials: keys printed, pasted requests answered"
