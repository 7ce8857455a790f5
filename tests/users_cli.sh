#!/usr/bin/env bash
# `xietong users` as an operator uses it, on a real database and a real
# `serve`: an account added with its password from stdin and one with a
# random password printed once; the list shows both and never a hash; both
# sign in over HTTP; a taken name (XT-AUTH-013), a short password
# (XT-AUTH-012) and a wrong duty (XT-AUTH-015) are refused and change
# nothing; disabling an account refuses its sign-in and ends its open
# session; a reset replaces the password. Usage: users_cli.sh XIETONG_BINARY WORK_DIR
set -euo pipefail
xt="$1"
dir="$2"
rm -rf "$dir"
mkdir -p "$dir"
db="$dir/users.db"
"$xt" init --db "$db" >/dev/null

# Exit status and stderr of a command expected to fail.
refused() {
  set +e
  "$@" >"$dir/refused.out" 2>"$dir/refused.err"
  local rc=$?
  set -e
  test "$rc" -eq 1
}

echo 'cashier password 1' | "$xt" users add --db "$db" --username li.na --role hospital --duty cashier \
  --scope H12010300001 --name "Li Na" --password-stdin | grep -qx 'added li.na (hospital cashier, scope H12010300001)'
out="$("$xt" users add --db "$db" --username wang.fang --role hospital --duty doctor --scope H12010300001)"
doctor_pw="$(echo "$out" | sed -n 's/^password (shown once; only its hash is stored): //p')"
test "${#doctor_pw}" -eq 20

"$xt" users list --db "$db" | grep -q '^li\.na  *hospital  *cashier  *H12010300001  *enabled  *Li Na$'
"$xt" users list --db "$db" | grep -q '^wang\.fang  *hospital  *doctor  *H12010300001  *enabled '
"$xt" users list --db "$db" --json >"$dir/list.json"
test "$(wc -l <"$dir/list.json")" -eq 2
grep -q '"username":"li.na","display_name":"Li Na","role":"hospital","duty":"cashier"' "$dir/list.json"
if grep -qi 'argon2\|hash' "$dir/list.json"; then echo "users list shows a password hash" >&2; exit 1; fi

# Refusals, each with its code, and nothing added.
echo 'another password' | refused "$xt" users add --db "$db" --username li.na --role agency --scope 130000 --password-stdin
grep -q 'XT-AUTH-013' "$dir/refused.err"
echo 'short' | refused "$xt" users add --db "$db" --username zhao.lei --role agency --scope 130000 --password-stdin
grep -q 'XT-AUTH-012' "$dir/refused.err"
refused "$xt" users add --db "$db" --username zhao.lei --role agency --duty doctor --scope 130000
grep -q 'XT-AUTH-015' "$dir/refused.err"
refused "$xt" users add --db "$db" --username zhao.lei --role hospital --duty nurse --scope H12010300001
grep -q 'XT-AUTH-015' "$dir/refused.err"
refused "$xt" users disable --db "$db" nobody
grep -q 'XT-AUTH-014' "$dir/refused.err"
test "$("$xt" users list --db "$db" --json | wc -l)" -eq 2

"$xt" serve --db "$db" --listen 127.0.0.1:0 --access-log false >"$dir/out" 2>"$dir/err" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$dir/out" && break; sleep 0.1; done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/out" | head -1)"

# POST /api/v1/session; prints the HTTP status, keeps the cookie's value.
sign_in() {
  curl -s -o "$dir/session.json" -D "$dir/headers" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$url/api/v1/session"
}
token() { sed -n 's/^[Ss]et-[Cc]ookie: xt_session=\([0-9a-f]*\);.*/\1/p' "$dir/headers"; }
me() { curl -s -o "$dir/me.json" -w '%{http_code}' -H "Cookie: xt_session=$1" "$url/api/v1/me"; }

test "$(sign_in li.na 'cashier password 1')" = 200
cashier="$(token)"
test "${#cashier}" -eq 64
grep -q '"duty":"cashier"' "$dir/session.json"
test "$(me "$cashier")" = 200
grep -q '"scope":"H12010300001"' "$dir/me.json"
test "$(sign_in wang.fang "$doctor_pw")" = 200
test "$(sign_in wang.fang 'not the password')" = 401

# Disabled: no new sign-in, and the open session ends within 5 seconds.
"$xt" users disable --db "$db" li.na | grep -q '^disabled li.na'
test "$(sign_in li.na 'cashier password 1')" = 401
grep -q 'XT-AUTH-008' "$dir/session.json"
code=200
for _ in $(seq 80); do code="$(me "$cashier")"; test "$code" = 401 && break; sleep 0.1; done
test "$code" = 401
grep -q 'XT-AUTH-011' "$dir/me.json"
"$xt" users list --db "$db" | grep -q '^li\.na .* disabled '

# Reset: the old password no longer signs in, the new one does.
echo 'doctor password 2' | "$xt" users reset --db "$db" wang.fang --password-stdin | grep -q '^new password for wang.fang'
test "$(sign_in wang.fang "$doctor_pw")" = 401
test "$(sign_in wang.fang 'doctor password 2')" = 200
echo "users: added, listed, signed in, refused, disabled and reset"
