#!/usr/bin/env bash
# `xietong serve --demo-credentials` as a newcomer meets it: eight keys are
# printed (three hospitals, three agencies, the resident, an operator); the
# two printed requests, pasted as they are, work; a request without a key is
# refused; five staff accounts are printed with their passwords and the
# address to open, and the cashier's signs in and is the demo hospital's.
# Usage: serve_demo_credentials.sh XIETONG_BINARY WORK_DIR
set -euo pipefail
xt="$1"
dir="$2"
rm -rf "$dir"
mkdir -p "$dir"
"$xt" demo --db "$dir/demo.db" >/dev/null
"$xt" serve --db "$dir/demo.db" --listen 127.0.0.1:0 --demo-credentials --access-log false >"$dir/out" 2>"$dir/err" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "sign in with one of these accounts" "$dir/out" && break; sleep 0.1; done
test "$(grep -c '^  \(hospital\|agency\|resident\|admin\) ' "$dir/out")" = 8
hospital="$(grep -m1 'curl -s http://127.0.0.1:[0-9]*/fsi/api/callService' "$dir/out")"
resident="$(grep -m1 'curl -s http://127.0.0.1:[0-9]*/api/v1/settlements' "$dir/out")"
eval "$hospital" | grep -q '^{"infcode":0,'
eval "$resident" | grep -q '"settlements":\[{"setl_id"'
url="$(echo "$resident" | grep -o 'http://127.0.0.1:[0-9]*')"
test "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/settlements")" = 401

test "$(grep -c '^  demo\.\(cashier\|doctor\|agency\|resident\|operator\) ' "$dir/out")" = 5
grep -q '^  demo\.doctor  *sample-[a-z0-9-]*  *hospital  *doctor  *H12010300001 ' "$dir/out"
grep -q '^  demo\.agency  *sample-[a-z0-9-]*  *agency  *-  *130000 ' "$dir/out"
grep -qF "Open $url/ in a browser and sign in with one of these accounts." "$dir/out"
password="$(awk '$1 == "demo.cashier" { print $2 }' "$dir/out")"
test "$(curl -s -o "$dir/session.json" -D "$dir/headers" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"username\":\"demo.cashier\",\"password\":\"$password\"}" "$url/api/v1/session")" = 200
grep -qi '^set-cookie: xt_session=[0-9a-f]\{64\}; HttpOnly; SameSite=Strict; Path=/' "$dir/headers"
token="$(sed -n 's/^[Ss]et-[Cc]ookie: xt_session=\([0-9a-f]*\);.*/\1/p' "$dir/headers")"
curl -s -H "Cookie: xt_session=$token" "$url/api/v1/session" | grep -q '"role":"hospital","duty":"cashier","scope":"H12010300001"'
echo "serve --demo-credentials: keys and staff accounts printed, pasted requests answered, the cashier signed in"
