#!/usr/bin/env bash
# Builds the fuzz targets (fuzz/, cargo-fuzz) and runs each for a bounded time from its
# committed seed corpus, fuzz/corpus/TARGET. Fails on any crash, timeout or out-of-memory and
# prints each target's executions (for RELIABILITY.md).
#   scripts/fuzz.sh                  every target, FUZZ_SECONDS (default 8) each
#   scripts/fuzz.sh TARGET [SECONDS] one target, 300 s unless told
#   scripts/fuzz.sh --build          only build the targets (FUZZ_NO_BUILD=1 then skips it)
# New inputs go to a scratch corpus (FUZZ_CORPUS_DIR, default a temporary folder), never into
# fuzz/corpus; a failing input is kept in fuzz/artifacts/TARGET/.
#
# Stable toolchain: without a sanitizer the build needs no nightly feature (our code forbids
# unsafe, so AddressSanitizer would find little). Allocation bounds come from fuzz/src/lib.rs
# instead, which caps the Rust heap; libFuzzer's -malloc_limit_mb needs a sanitizer's hooks.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

ALL=(tus_metadata tus_checksum tus_byte_count range signed_url probe_mp4 probe_matroska)
build_only=
if [ "${1:-}" = --build ]; then build_only=1; shift; fi
if [ $# -gt 0 ]; then
  targets=("$1"); seconds=${2:-300}
  [[ " ${ALL[*]} " == *" $1 "* ]] || { echo "fuzz: no target $1 (${ALL[*]})" >&2; exit 2; }
else
  targets=("${ALL[@]}"); seconds=${FUZZ_SECONDS:-8}
fi
command -v cargo-fuzz >/dev/null || { echo "fuzz: cargo-fuzz is missing: scripts/setup.sh test" >&2; exit 1; }

# The targets depend on the `parsers` crate only (backend/parsers), so this builds in seconds.
# The workspace's lint wrapper (scripts/test.sh) is not for the fuzz crate.
BUILD=(env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS cargo fuzz build --sanitizer none --release --debug-assertions)
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  echo "fuzz: ${BUILD[*]}"
  start=$(date +%s)
  "${BUILD[@]}" || exit 1
  echo "fuzz: built in $(( $(date +%s) - start )) s"
fi
[ -z "$build_only" ] || exit 0

BIN=fuzz/target/x86_64-unknown-linux-gnu/release
scratch=${FUZZ_CORPUS_DIR:-$(mktemp -d -t reel-fuzz-XXXXXX)}
[ -n "${FUZZ_CORPUS_DIR:-}" ] || trap 'rm -rf "$scratch"' EXIT
failed=0; summary=()
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t" "fuzz/artifacts/$t"
  log="$scratch/$t.log"
  # -timeout: one input taking this long is a hang. -rss_limit_mb backs up the heap cap.
  "$BIN/$t" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=512 -print_final_stats=1 \
    -artifact_prefix="fuzz/artifacts/$t/" "$scratch/$t" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -1)
  if [ "$rc" = 0 ]; then
    summary+=("$(printf '%-16s ok      %s' "$t" "${runs:-?}")")
  else
    failed=1
    summary+=("$(printf '%-16s FAILED  exit %s' "$t" "$rc")")
    echo "fuzz: $t failed; its log ends (backtrace left out):"
    grep -Ev '^ +([0-9]+: |at )' "$log" | tail -30
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    if [ -n "$artifact" ]; then
      echo "fuzz: reproduce with: $BIN/$t $artifact"
      echo "fuzz: minimise with:  cargo fuzz tmin --sanitizer none $t $artifact"
    fi
  fi
done
printf 'fuzz: %s\n' "${summary[@]}"
exit "$failed"
