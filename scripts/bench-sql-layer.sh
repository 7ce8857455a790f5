#!/usr/bin/env bash
# Our SQL layer against SOCI 4 on the hot path's statements
# (bench/sql_layer/main.cc): installs libsoci-dev when it is missing (as
# root), builds the benchmark in build-sqlbench/ (RelWithDebInfo) and runs
# it, printing one JSON line per variant. Extra arguments go to the
# benchmark (--rows N, --runs R, --only raw|layer|soci).
# docs/benchmarks.md ("SQL layer against SOCI 4") has the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! dpkg -s libsoci-dev >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "libsoci-dev is not installed: run this as root, or apt-get install libsoci-dev first" >&2
    exit 1
  fi
  apt-get install -y libsoci-dev >/dev/null
fi
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B build-sqlbench -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXT_BUILD_TESTS=OFF >/dev/null
cmake --build build-sqlbench -j2 --target sql_layer_bench
./build-sqlbench/bench/sql_layer/sql_layer_bench --json "$@"
