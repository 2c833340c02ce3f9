#!/usr/bin/env bash
# Runs schemathesis with all its default checks against a real `reel serve --demo` on a free
# port with a throw-away data directory, signed in as the demo instructor, driven by the
# server's own /api/openapi.json. Fails on any 5xx, any response that breaks the document, or
# any other check's failure (exceptions, with reasons: scripts/schemathesis.toml).
# Installs nothing: `scripts/setup.sh test` puts schemathesis in ~/.cache/reel-tools.
# Usage: scripts/schemathesis.sh [schemathesis run args…]
#   REEL_BIN picks the server binary; ST_MAX_EXAMPLES the test cases per operation [50];
#   ST_SEED the seed [13399, so make test asks the same questions each run, as Hypothesis
#   advises for CI: a gate that fails only for a new seed is a flaky gate], or `random`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${REEL_BIN:-$ROOT/target/debug/reel}
VENV=${REEL_TOOLS:-$HOME/.cache/reel-tools}/schemathesis
PY=$VENV/bin/python
[ -x "$BIN" ] || { echo "schemathesis: $BIN is missing; build the backend first" >&2; exit 1; }
[ -x "$VENV/bin/schemathesis" ] || {
  echo "schemathesis: not installed; run scripts/setup.sh test" >&2; exit 1; }

DATA=$(mktemp -d -t reel-schemathesis-XXXXXX)
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PASSWORD=$("$PY" -c 'import secrets; print(secrets.token_hex(12))')
URL=http://127.0.0.1:$PORT
LOG=$DATA/server.log
SERVER=
cleanup() {
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
    kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

mkdir -p "$DATA/web"
echo '<!doctype html><title>Reel</title>' >"$DATA/web/index.html"
REEL_BIND=127.0.0.1:$PORT REEL_DATA_DIR=$DATA/data REEL_WEB_DIR=$DATA/web REEL_DEMO_PASSWORD=$PASSWORD \
  REEL_MAX_UPLOAD_BYTES=${REEL_MAX_UPLOAD_BYTES:-209715200} \
  "$BIN" serve --demo >"$LOG" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  "$PY" -c "import urllib.request as u; u.urlopen('$URL/healthz', timeout=1)" 2>/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || { echo "schemathesis: the server exited:" >&2; cat "$LOG" >&2; exit 1; }
  sleep 0.2
done

# Sign in once as the demo instructor and write this run's session and config.
"$PY" scripts/schemathesis_prepare.py "$URL" "$PASSWORD" "$DATA" || {
  echo "schemathesis: preparing the run (sign-in, seed data) failed:" >&2; tail -20 "$LOG" >&2; exit 1; }
REEL_SESSION=$(cat "$DATA/session")
export REEL_SESSION
echo "schemathesis: reel serve is up at $URL (data in $DATA)"

SEED=${ST_SEED:-13399}
[ "$SEED" != random ] || SEED=$RANDOM
run() { # run ARGS…: one schemathesis run with the shared settings
  "$VENV/bin/schemathesis" --config-file "$DATA/schemathesis.toml" run "$URL/api/openapi.json" \
    --url "$URL" --max-examples "${ST_MAX_EXAMPLES:-50}" --seed "$SEED" --no-color "$@"
}

started=$SECONDS
status=0
# Signing out ends the session every other operation runs with, so it goes last, on its own.
run --exclude-operation-id logout "$@" | tee "$DATA/main.txt" || status=1
run --include-operation-id logout --phases examples,coverage,fuzzing "$@" | tee "$DATA/logout.txt" ||
  status=1
operations=$(cat "$DATA/main.txt" "$DATA/logout.txt" | sed -n 's/^ *Tested: *\([0-9]*\).*/\1/p' |
  awk '{ n += $1 } END { print n + 0 }')
if grep -q 'reel_session=\|panicked' "$LOG"; then
  echo "schemathesis: the server log shows a panic or a session token:" >&2
  grep 'reel_session=\|panicked' "$LOG" >&2
  status=1
fi
if [ "$status" != 0 ]; then
  echo "schemathesis: the server's last log lines:" >&2
  tail -20 "$LOG" >&2
fi
echo "schemathesis: $operations operations checked in $((SECONDS - started)) s"
exit "$status"
