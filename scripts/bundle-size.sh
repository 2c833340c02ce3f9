#!/usr/bin/env bash
# Prints what the browser downloads for the app (wasm + JS), raw and gzipped, against the
# 300 KB budget in DESIGN.md. Exits 1 over budget.
set -euo pipefail
cd "$(dirname "$0")/../dist"
raw=0; gz=0
for f in *.wasm *.js; do
  [ -f "$f" ] || continue
  raw=$((raw + $(stat -c %s "$f"))); gz=$((gz + $(gzip -9c "$f" | wc -c)))
done
printf 'bundle: wasm+js %d KB raw, %d KB gzipped (budget 300 KB gzipped)\n' $((raw / 1024)) $((gz / 1024))
[ "$gz" -le $((300 * 1024)) ] || { echo "bundle: over budget" >&2; exit 1; }
