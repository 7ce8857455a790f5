#!/usr/bin/env bash
# The main job: install, build, run the seed's scenario on a new SQLite
# database made from the default dataset (xietong.db in the repository),
# with 60 sample visits settled in the previous month (a month to clear),
# check it, then serve it over HTTP in the foreground (Ctrl-C stops it
# cleanly), printing demo credentials for every role and requests to paste.
# XIETONG_LISTEN=HOST:PORT changes the address (default 127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
rm -f xietong.db xietong.db-wal xietong.db-shm
./build/xietong demo --db xietong.db --past-month 60
./build/xietong verify --db xietong.db
exec ./build/xietong serve --db xietong.db --listen "${XIETONG_LISTEN:-127.0.0.1:8080}" --demo-credentials
