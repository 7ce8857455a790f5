#!/usr/bin/env bash
# The main job: install, build, and run the seed's scenario on a new SQLite
# database made from the default dataset (xietong.db in the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
rm -f xietong.db xietong.db-wal xietong.db-shm
./build/xietong demo --db xietong.db
./build/xietong verify --db xietong.db
