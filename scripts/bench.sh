#!/usr/bin/env bash
# Runs the benchmarks against the release build (`make bench` builds it first) and prints a
# Markdown table for BENCHMARKS.md. Pass --quick for a smaller, faster run.
set -euo pipefail
cd "$(dirname "$0")/.."
# The S3 figures need the local S3 servers.
eval "$(scripts/s3-servers.sh start)"
trap 'scripts/s3-servers.sh stop' EXIT
cargo run --release --locked -p backend --example bench -- "$@"
# The browser's figures (chunk sizes against interruptions, throughput at full speed), against
# the release server, one browser at a time.
runs=3; [ "${1:-}" = --quick ] && runs=1
REEL_BENCH_RUNS=$runs REEL_BIN=$PWD/target/release/reel REEL_MAX_UPLOAD_BYTES=$((300 * 1024 * 1024)) \
  scripts/e2e.sh --config playwright.bench.config.ts --reporter=line
