#!/usr/bin/env bash
# The browser journeys, end to end: Debian's chromium driven by
# playwright-core against a real `xietong serve` on 127.0.0.1 over a real
# SQLite file made by `xietong demo`, with the staff accounts made by
# `xietong users add`. Nothing is skipped: a missing chromium, binary or
# application folder fails the run. Usage (from anywhere):
#
#   bash tests/e2e/run.sh [FILE.test.mjs ...]   # default: every tests/e2e/*.test.mjs
#
# XIETONG_BINARY=PATH uses another build of xietong (default build/xietong).
# Screenshots land in build/e2e-screenshots/; XT_E2E_UPDATE_DOCS=1 also
# copies each role's main page to docs/ui/<role>.png.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
xt="${XIETONG_BINARY:-$root/build/xietong}"

fail() { echo "e2e: $*" >&2; exit 1; }
[ -x "$xt" ] || fail "no xietong binary at $xt (bash scripts/build.sh builds it)"
chromium="$(command -v chromium || true)"
[ -n "$chromium" ] || fail "chromium is not installed (bash scripts/install-deps.sh installs it)"
[ -f "$root/web/dist/index.html" ] || fail "no web application at web/dist (bash scripts/build.sh builds it)"

# The test packages, installed only when the lockfile changed since the last
# install (npm ci removes node_modules first, so it is not run every time).
stamp="$here/node_modules/.e2e-lock"
if ! cmp -s "$here/package-lock.json" "$stamp" 2>/dev/null; then
  (cd "$here" && npm ci --no-audit --no-fund --silent)
  cp "$here/package-lock.json" "$stamp"
fi

dir="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db="$dir/e2e.db"
# The demo's scenario plus a past month of settlements, so that the agency
# has a month to clear.
"$xt" demo --db "$db" --past-month 60 >"$dir/demo.out" || { cat "$dir/demo.out" >&2; fail "xietong demo failed"; }

# The staff who sign in, one per role the application has pages for. The
# password is a sample, for this throw-away database only.
password="sample-e2e-password-2026"
users="$dir/users.json"
add_user() { # USERNAME ROLE DUTY SCOPE NAME
  local duty=()
  [ -n "$3" ] && duty=(--duty "$3")
  printf '%s\n' "$password" | "$xt" users add --db "$db" --username "$1" --role "$2" "${duty[@]}" \
    --scope "$4" --name "$5" --password-stdin >/dev/null || fail "users add $1 failed"
}
add_user e2e.cashier hospital cashier H12010300001 "Sample cashier"
add_user e2e.doctor hospital doctor H12010300001 "Sample doctor"
add_user e2e.agency agency "" 130000 "Sample agency clerk"
add_user e2e.resident resident "" 1305000000000001 "Sample resident"
add_user e2e.operator admin "" '*' "Sample operator"
# A Hebei hospital's system, which publishes the result the doctor's
# journey finds recognised in Tianjin.
publisher_key="$("$xt" credentials issue --db "$db" --role hospital --scope H13010200001 --label e2e-publisher --json |
  sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')"
[ -n "$publisher_key" ] || fail "credentials issue for the publishing hospital failed"
cat >"$users" <<EOF
{
  "password": "$password",
  "cashier": {"username": "e2e.cashier", "fixmedins_code": "H12010300001"},
  "doctor": {"username": "e2e.doctor", "fixmedins_code": "H12010300001"},
  "agency": {"username": "e2e.agency", "scope": "130000"},
  "resident": {"username": "e2e.resident", "psn_no": "1305000000000001"},
  "operator": {"username": "e2e.operator"},
  "publisher": {"fixmedins_code": "H13010200001", "api_key": "$publisher_key"}
}
EOF

# Its access log (one line per request) goes to serve.err, shown on a failure.
"$xt" serve --db "$db" --listen 127.0.0.1:0 --web "$root/web/dist" >"$dir/serve.out" 2>"$dir/serve.err" &
server_pid=$!
base=""
for _ in $(seq 200); do
  base="$(sed -n 's|.*listening on \(http://127\.0\.0\.1:[0-9]*\).*|\1|p' "$dir/serve.out" | head -1)"
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$dir/serve.err" >&2; fail "xietong serve exited"; }
  sleep 0.1
done
[ -n "$base" ] || { cat "$dir/serve.out" "$dir/serve.err" >&2; fail "xietong serve printed no address"; }
healthy=""
for _ in $(seq 100); do
  if curl -fsS "$base/healthz" 2>/dev/null | grep -q '"status":"ok"'; then healthy=1; break; fi
  sleep 0.1
done
[ -n "$healthy" ] || fail "$base/healthz did not answer ok"
echo "e2e: server at $base, database $db"

files=()
for f in "$@"; do files+=("$(realpath -e "$f")"); done
[ ${#files[@]} -gt 0 ] || files=("$here"/*.test.mjs)
status=0
(cd "$here" && XT_E2E_BASE_URL="$base" XT_E2E_USERS="$users" XT_E2E_DB="$db" XT_E2E_CHROMIUM="$chromium" \
  XT_E2E_XIETONG="$xt" XT_E2E_ROOT="$root" \
  node --test --test-concurrency=1 --test-timeout=120000 "${files[@]}") || status=$?
# A server that died under the journeys fails the run, whatever they said.
if ! kill -0 "$server_pid" 2>/dev/null; then
  wait "$server_pid" && code=0 || code=$?
  server_pid=""
  echo "e2e: xietong serve died during the journeys (exit status $code)" >&2
  [ "$status" -ne 0 ] || status=1
fi
if [ "$status" -ne 0 ]; then
  echo "e2e: the server's log (last 40 lines):" >&2
  tail -n 40 "$dir/serve.err" >&2 || true
fi
exit "$status"
