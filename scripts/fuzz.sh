#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, with clang, into build-fuzz/) and
# fuzzes for SECONDS (default 20) in all: half on envelope decoding, a
# quarter on reading HTTP request heads, a quarter on claim files (the 3202
# detail file, text or zipped, and the split of fee lines with refunds). Exits non-zero when the
# fuzzer finds a crash, a leak, undefined behaviour or a failed property; the
# input that did it is saved in build-fuzz/crashes/. Extra arguments go to
# libFuzzer (e.g. -jobs=2, -max_len=65536). docs/fuzzing.md has more.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true

CXX=clang++ cmake -S fuzz -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "$(nproc)"

# New inputs the fuzzer finds go to the working corpus, not to the seeds
# under fuzz/corpus/ (those are kept small and readable, in git).
mkdir -p build-fuzz/corpus/envelope build-fuzz/corpus/request_head build-fuzz/corpus/claim_files build-fuzz/crashes
head_seconds=$(( seconds / 4 > 0 ? seconds / 4 : 1 ))
claim_seconds=$(( seconds / 4 > 0 ? seconds / 4 : 1 ))
envelope_seconds=$(( seconds - head_seconds - claim_seconds > 0 ? seconds - head_seconds - claim_seconds : 1 ))
./build-fuzz/envelope_fuzz \
  -max_total_time="$envelope_seconds" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=1024 \
  -dict=fuzz/envelope.dict -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1 \
  "$@" build-fuzz/corpus/envelope fuzz/corpus/envelope
./build-fuzz/request_head_fuzz \
  -max_total_time="$head_seconds" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=1024 \
  -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1 \
  "$@" build-fuzz/corpus/request_head fuzz/corpus/request_head
./build-fuzz/claim_files_fuzz \
  -max_total_time="$claim_seconds" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=1024 \
  -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1 \
  "$@" build-fuzz/corpus/claim_files fuzz/corpus/claim_files
