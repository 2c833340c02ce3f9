#!/usr/bin/env bash
# Runs the benchmarks against the release build (`make bench` builds it first) and prints a
# Markdown table for BENCHMARKS.md. Pass --quick for a smaller, faster run.
set -euo pipefail
cd "$(dirname "$0")/.."
# The S3 figures need the local S3 servers.
eval "$(scripts/s3-servers.sh start)"
trap 'scripts/s3-servers.sh stop' EXIT
cargo run --release --locked -p backend --example bench -- "$@"
