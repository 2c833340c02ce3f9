#!/usr/bin/env bash
# Runs the whole Playwright suite N times in a row (default 5), each against a fresh server and
# data directory, and stops at the first failure: the proof that the suite is not flaky.
# Usage: scripts/e2e-soak.sh [N]   (after `make test` or a build of dist/ and target/debug/reel)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=${REEL_TOOLS:-$HOME/.cache/reel-tools}/node_modules/.bin:$HOME/.cargo/bin:$PATH
runs=${1:-5}
for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  log="e2e/artifacts/soak-${REEL_E2E_INSTANCES:-1}x-$i.log" # one instance or several: separate logs
  if ! scripts/e2e.sh --reporter=line >"$log" 2>&1; then
    echo "e2e-soak: run $i of $runs FAILED after $(( $(date +%s) - started )) s ($log):" >&2
    grep -E -A12 "✘|Error:|failed" "$log" | head -40 >&2
    grep -E "^ +Context: |^e2e: server log: " "$log" | cut -c1-400 | head -12 >&2
    exit 1
  fi
  echo "e2e-soak: run $i of $runs passed in $(( $(date +%s) - started )) s ($(grep -Eo '[0-9]+ passed' "$log" | tail -1))"
done
echo "e2e-soak: $runs runs in a row passed"
