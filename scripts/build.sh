#!/usr/bin/env bash
# Configures and builds xietong and its tests into build/ (Release with
# debug info), with ccache when present; then the browser application into
# web/dist (served by `xietong serve`), with a .gz sibling for each text
# asset (the server answers the precompressed sibling when the browser
# accepts gzip).
#
# XT_SKIP_WEB=1 builds the C++ side only.
set -euo pipefail
cd "$(dirname "$0")/.."
# The compiler cache keys on paths relative to the checkout, so a second
# clone (or a worktree) reuses what the first compiled.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"

if [ "${XT_SKIP_WEB:-0}" = 1 ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "build.sh: npm is missing (scripts/install-deps.sh installs it); web/dist not built" >&2
  exit 1
fi
(
  cd web
  # npm ci only when node_modules was not installed from this very lockfile:
  # the stamp holds the lockfile's hash as of the last install.
  stamp=node_modules/.xietong-lock-hash
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    npm ci --no-audit --no-fund
    echo "$want" >"$stamp"
  fi
  npm run build --silent
  # Precompressed siblings of the text assets; -n leaves names and times
  # out, so the same build gives the same bytes.
  find dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \
    -o -name '*.json' -o -name '*.txt' -o -name '*.map' \) -print0 |
    xargs -0 -r gzip -9 -k -n -f
)
