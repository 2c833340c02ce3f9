#!/usr/bin/env bash
# Every check, in order, continuing past failures so one run shows everything that is wrong.
# Ends with one summary line and a non-zero exit if anything failed. Run via `make test`.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
LOGDIR=$(mktemp -d -t reel-test-XXXXXX)
results=(); failed=0; passed_tests=0; failed_tests=0

step() { # step NAME COMMAND…
  local name=$1; shift
  local started=$SECONDS
  printf '\n==> %s: %s\n' "$name" "$*"
  if "$@" 2>&1 | tee "$LOGDIR/$name.log"; then
    results+=("$name ok $((SECONDS - started))s")
  else
    results+=("$name FAILED $((SECONDS - started))s"); failed=1
  fi
}

step fmt cargo fmt --all -- --check
step clippy cargo clippy --workspace --all-targets --locked -- -D warnings
step clippy-wasm cargo clippy -p frontend -p shared --target wasm32-unknown-unknown --locked -- -D warnings
# The S3 provider's tests run against local S3 servers (s3s-fs, moto), started here and
# stopped on exit.
S3_SERVERS_DIR=$LOGDIR/s3 eval "$(scripts/s3-servers.sh start)" || { echo "could not start the local S3 servers" >&2; failed=1; }
trap 'scripts/s3-servers.sh stop' EXIT
step cargo-test cargo test --workspace --locked
# The whole integration suite again on PostgreSQL (a database per test, created and dropped).
if pg_isready -q -h 127.0.0.1 -p 5432; then
  step cargo-test-pg env REEL_TEST_DATABASE=postgres cargo test -p backend --test api --locked
else
  echo "PostgreSQL is not answering at 127.0.0.1:5432 (see README)" >&2; results+=("cargo-test-pg FAILED 0s"); failed=1
fi
# The upload, delete, serving, poster, security and error suites once more with the videos in S3
# (moto, which checks ETags and part sizes like AWS).
step cargo-test-s3 env REEL_TEST_STORAGE=moto cargo test -p backend --test api --locked -- tus:: uploads:: deletes:: media:: posters:: in_flight:: security:: errors:: s3::
step fuzz scripts/fuzz.sh
step frontend bash -c 'trunk build --release && scripts/bundle-size.sh'
step backend-bin cargo build -p backend --locked
step schemathesis scripts/schemathesis.sh
step e2e scripts/e2e.sh
# Once more as several instances: two on PostgreSQL with the videos in S3 (moto), behind a
# round-robin balancer, so consecutive requests (a tus upload's PATCHes) hit different ones.
step e2e-cluster env REEL_E2E_S3=moto REEL_E2E_INSTANCES=2 scripts/e2e.sh

# Count tests from cargo's and Playwright's own summaries.
while read -r p f; do passed_tests=$((passed_tests + p)); failed_tests=$((failed_tests + f)); done < <(
  cat "$LOGDIR/cargo-test.log" "$LOGDIR/cargo-test-pg.log" "$LOGDIR/cargo-test-s3.log" 2>/dev/null |
    sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p')
for log in e2e e2e-cluster; do
  pw_passed=$(sed -n 's/^ *\([0-9]*\) passed.*/\1/p' "$LOGDIR/$log.log" 2>/dev/null | tail -1)
  pw_failed=$(sed -n 's/^ *\([0-9]*\) failed.*/\1/p' "$LOGDIR/$log.log" 2>/dev/null | tail -1)
  passed_tests=$((passed_tests + ${pw_passed:-0})); failed_tests=$((failed_tests + ${pw_failed:-0}))
done
# CI keeps only the end of this output: say why each failed step failed, briefly, just above the
# summary (Playwright's and cargo's first errors, with the spec line or the panic).
for r in "${results[@]}"; do
  case $r in *" FAILED "*) ;; *) continue ;; esac
  name=${r%% FAILED*}
  printf '\n--- why %s failed (full log above) ---\n' "$name"
  grep -E -A7 '^ +Error: |^---- .* stdout ----|panicked at|^error(\[|:)|^ +at .*\.spec\.ts:' "$LOGDIR/$name.log" 2>/dev/null |
    grep -v -E '^ *(\||$)' | cut -c1-220 | head -24
done
rm -rf "$LOGDIR"

printf '\n%s\n' "${results[*]/%/;}"
[ "$failed" = 0 ] && [ "$failed_tests" = 0 ] || failed=1
printf 'summary: %d passed, %d failed in %d min %d s\n' "$passed_tests" "$failed_tests" $((SECONDS / 60)) $((SECONDS % 60))
exit "$failed"
