#!/usr/bin/env bash
# Every check, continuing past failures so one run shows everything that is wrong. Ends with
# each step's time, one summary line and a non-zero exit if anything failed. Run via `make test`.
#
# Arranged for two cores (BENCHMARKS.md, "make test", has the figures behind each choice):
# - One compilation of the workspace serves clippy, the unit and integration tests and the
#   server the e2e and schemathesis runs start: cargo builds every test target with
#   clippy-driver as the workspace's compiler, so the lints run in the same pass as code
#   generation instead of type-checking everything a second time. The wasm lints run the same
#   way inside the app's release build.
# - The integration suite's three passes (SQLite, PostgreSQL, S3) run side by side from that one
#   build: they mostly wait on sockets, disks and databases.
# - The app's release build beside the fuzz build and schemathesis; fuzzing (one core, time-
#   bounded) beside the integration passes.
# - The two e2e runs one after the other, each with two Playwright workers (every test owns its
#   instructor and course, e2e/tests/fixtures.ts).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="${REEL_TOOLS:-$HOME/.cache/reel-tools}/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
LOGDIR=$(mktemp -d -t reel-test-XXXXXX)
results=(); failed=0; passed_tests=0; failed_tests=0

record() { # record NAME EXIT_CODE SECONDS
  if [ "$2" = 0 ]; then results+=("$1 ok $3s"); else results+=("$1 FAILED $3s"); failed=1; fi
}

step() { # step NAME COMMAND…   (in the foreground, output shown as it comes)
  local name=$1; shift
  local started=$SECONDS
  printf '\n==> %s: %s\n' "$name" "$*"
  "$@" 2>&1 | tee "$LOGDIR/$name.log"
  record "$name" "${PIPESTATUS[0]}" $((SECONDS - started))
}

running=()
beside() { # beside NAME COMMAND…   (in the background; `joined` waits and shows its output)
  local name=$1; shift
  printf '\n==> %s (side by side): %s\n' "$name" "$*"
  ( started=$SECONDS; "$@" >"$LOGDIR/$name.log" 2>&1; echo "$? $((SECONDS - started))" >"$LOGDIR/$name.rc" ) &
  running+=($!)
}

joined() { # joined NAME…   waits for the steps started with `beside`, then shows each one's output
  wait "${running[@]}"
  running=()
  local name rc seconds
  for name in "$@"; do
    printf '\n==> %s (output)\n' "$name"
    cat "$LOGDIR/$name.log"
    read -r rc seconds <"$LOGDIR/$name.rc" || { rc=1; seconds=0; }
    record "$name" "$rc" "$seconds"
  done
}

# clippy-driver as the workspace's compiler: lints with `-D warnings` while building (the same
# lints `cargo clippy` runs; dependencies are built by rustc as usual).
LINT=(env RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)"
  CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__")

step fmt cargo fmt --all -- --check
step build-and-lint "${LINT[@]}" cargo test --workspace --locked --no-run
# The app's release build takes both cores; the fuzz targets and schemathesis (against the
# server just built) fit in beside it.
build_frontend() { "${LINT[@]}" trunk build --release && scripts/bundle-size.sh; }
beside frontend-and-lint build_frontend
beside fuzz-build scripts/fuzz.sh --build
beside schemathesis scripts/schemathesis.sh
joined frontend-and-lint fuzz-build schemathesis

# The integration test binary the build made; the PostgreSQL and S3 passes run it again with
# other settings (asking cargo would rebuild for another package selection).
API_TESTS=$("${LINT[@]}" cargo test --workspace --locked --no-run --message-format=json 2>/dev/null |
  python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    t = m.get("target") or {}
    if t.get("name") == "api" and "test" in t.get("kind", []) and m.get("executable"):
        print(m["executable"])')
api_pass() { # api_pass SETTING=VALUE [FILTER…]: the integration tests with one setting changed
  local setting=$1; shift
  (cd backend && env "$setting" "$API_TESTS" "$@")
}

# The S3 provider's tests run against local S3 servers (s3s-fs, moto), started here and
# stopped on exit.
S3_SERVERS_DIR=$LOGDIR/s3 eval "$(scripts/s3-servers.sh start)" || { echo "could not start the local S3 servers" >&2; failed=1; }
trap 'scripts/s3-servers.sh stop' EXIT

unit_tests() { "${LINT[@]}" cargo test --workspace --locked --lib --bins && "${LINT[@]}" cargo test --workspace --locked --doc; }
passes=(fuzz cargo-test-unit)
# Fuzzing takes one core for a minute, time-bounded: beside the passes, which mostly wait.
beside fuzz env FUZZ_NO_BUILD=1 scripts/fuzz.sh
# Every crate's unit and doc tests; the integration suite on its own, so the two run side by side.
beside cargo-test-unit unit_tests
if [ -z "$API_TESTS" ]; then
  echo "the integration test binary was not built" >&2; record cargo-test 1 0
else
  # The integration suite on SQLite (each test's own file).
  beside cargo-test api_pass REEL_TEST_DATABASE=sqlite
  # The upload, delete, serving, poster, security and error suites once more with the videos in
  # S3 (moto, which checks ETags and part sizes like AWS).
  beside cargo-test-s3 api_pass REEL_TEST_STORAGE=moto \
    tus:: uploads:: deletes:: media:: posters:: in_flight:: security:: errors:: s3::
  passes+=(cargo-test cargo-test-s3)
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    # The whole integration suite again on PostgreSQL (a database per run, a schema per test).
    beside cargo-test-pg api_pass REEL_TEST_DATABASE=postgres
    passes+=(cargo-test-pg)
  else
    echo "PostgreSQL is not answering at 127.0.0.1:5432 (see README)" >&2; record cargo-test-pg 1 0
  fi
fi
joined "${passes[@]}"
# The PostgreSQL pass's database (one per test run, src/db/testing.rs), once its run is over.
for db in $(psql -Atq -h 127.0.0.1 -U postgres -d postgres \
  -c "SELECT datname FROM pg_database WHERE datname LIKE 'reel_test_run_%'" 2>/dev/null); do
  [ -d "/proc/${db#reel_test_run_}" ] ||
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
done

step e2e scripts/e2e.sh
# Once more as several instances: two on PostgreSQL with the videos in S3 (moto), behind a
# round-robin balancer, so consecutive requests (a tus upload's PATCHes) hit different ones.
step e2e-cluster env REEL_E2E_S3=moto REEL_E2E_INSTANCES=2 scripts/e2e.sh

# Count tests from cargo's and Playwright's own summaries.
while read -r p f; do passed_tests=$((passed_tests + p)); failed_tests=$((failed_tests + f)); done < <(
  cat "$LOGDIR"/cargo-test*.log 2>/dev/null |
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
  # What the page and the servers said around an e2e failure (e2e/tests/fixtures.ts, scripts/e2e.sh).
  grep -E '^ +Context: |^e2e: server log: ' "$LOGDIR/$name.log" 2>/dev/null | cut -c1-400 | head -12
done
rm -rf "$LOGDIR"

printf '\n%s\n' "${results[*]/%/;}"
[ "$failed" = 0 ] && [ "$failed_tests" = 0 ] || failed=1
printf 'summary: %d passed, %d failed in %d min %d s\n' "$passed_tests" "$failed_tests" $((SECONDS / 60)) $((SECONDS % 60))
exit "$failed"
