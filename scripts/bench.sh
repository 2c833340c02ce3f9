#!/usr/bin/env bash
# Runs the benchmarks against the release build (`make bench` builds it first) and prints a
# Markdown table for BENCHMARKS.md. Pass --quick for a smaller, faster run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --locked -p backend --example bench -- "$@"
