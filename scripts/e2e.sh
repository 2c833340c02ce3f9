#!/usr/bin/env bash
# Runs the Playwright suite against a real `reel serve --demo` on a free port with a throw-away
# data directory; the server is stopped and the directory removed afterwards, also on failure.
# The upload quota is raised for the spec that creates a thousand unfinished uploads.
# Usage: scripts/e2e.sh [playwright args…]   (REEL_BIN picks the server binary)
# With REEL_E2E_S3=name (a server in REEL_TEST_S3, see scripts/s3-servers.sh) the videos go to
# a fresh bucket on that S3 server instead of the local disk.
# With REEL_E2E_INSTANCES=N (N > 1) it runs N instances on a fresh PostgreSQL database
# (REEL_E2E_POSTGRES, default the local server) behind a round-robin balancer (e2e/lb.mjs);
# they share the secret key and the videos (set REEL_E2E_S3 too, or they share the data dir).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${REEL_BIN:-$ROOT/target/debug/reel}
[ -x "$BIN" ] || { echo "e2e: $BIN is missing; build the backend first" >&2; exit 1; }
[ -f dist/index.html ] || { echo "e2e: dist/ is missing; run trunk build --release first" >&2; exit 1; }

DATA=$(mktemp -d -t reel-e2e-XXXXXX)
PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
PASSWORD=$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")
mkdir -p e2e/artifacts
LOG=e2e/artifacts/server.log
SERVER=
PIDS=()
INSTANCES=${REEL_E2E_INSTANCES:-1}
PG_ADMIN=${REEL_E2E_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=
cleanup() {
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  if [ -n "$PG_DB" ]; then psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

if [ -n "${REEL_E2E_S3:-}" ]; then
  ENDPOINT=$(tr ',' '\n' <<<"${REEL_TEST_S3:-}" | sed -n "s/^$REEL_E2E_S3=//p")
  [ -n "$ENDPOINT" ] || { echo "e2e: REEL_TEST_S3 has no server called $REEL_E2E_S3" >&2; exit 1; }
  BUCKET=reel-e2e-$(node -e "console.log(require('crypto').randomBytes(6).toString('hex'))")
  # moto takes an unsigned CreateBucket.
  node -e "fetch('$ENDPOINT/$BUCKET',{method:'PUT'}).then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))" \
    || { echo "e2e: could not create a bucket on $ENDPOINT" >&2; exit 1; }
  export REEL_STORAGE=s3 REEL_S3_BUCKET=$BUCKET REEL_S3_ENDPOINT=$ENDPOINT REEL_S3_PREFIX=reel/
  echo "e2e: videos go to S3 ($REEL_E2E_S3)"
fi

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
if [ "$INSTANCES" -gt 1 ]; then
  PG_DB=reel_e2e_$(node -e "console.log(require('crypto').randomBytes(6).toString('hex'))")
  psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
  export REEL_DATABASE_URL="${PG_ADMIN%/*}/$PG_DB?sslmode=disable"
  export REEL_SECRET_KEY=$(node -e "console.log(require('crypto').randomBytes(32).toString('hex'))")
  [ -n "${REEL_E2E_S3:-}" ] || export REEL_ALLOW_LOCAL_SHARED=1
  # As behind a real balancer: the public URL is the balancer's, whose X-Forwarded-For is
  # believed.
  LB_PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  export REEL_PUBLIC_URL=http://127.0.0.1:$LB_PORT REEL_TRUSTED_PROXIES=127.0.0.1
  echo "e2e: $INSTANCES instances on PostgreSQL ($PG_DB) behind a round-robin balancer"
fi

# start_instance PORT LOG [--demo]
start_instance() {
  REEL_BIND=127.0.0.1:$1 REEL_DATA_DIR=$DATA REEL_WEB_DIR=$ROOT/dist REEL_DEMO_PASSWORD=$PASSWORD \
    REEL_DELETE_GRACE_SECS=${REEL_DELETE_GRACE_SECS:-30} REEL_MAX_UPLOAD_BYTES=${REEL_MAX_UPLOAD_BYTES:-209715200} \
    REEL_MAX_ACTIVE_UPLOADS=${REEL_MAX_ACTIVE_UPLOADS:-2000} \
    REEL_ACCESS_TOKEN_SECS=${REEL_ACCESS_TOKEN_SECS:-10} \
    "$BIN" serve ${3:-} >"$2" 2>&1 &
  SERVER=$!
  PIDS+=("$SERVER")
}
wait_healthy() { # wait_healthy URL LOG
  for _ in $(seq 1 100); do
    node -e "fetch('$1/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))" && return 0
    kill -0 "$SERVER" 2>/dev/null || { echo "e2e: the server exited:" >&2; cat "$2" >&2; exit 1; }
    sleep 0.2
  done
  echo "e2e: the server did not answer at $1" >&2; cat "$2" >&2; exit 1
}

# The first instance seeds the demo course; the others start on the database it made.
start_instance "$PORT" "$LOG" --demo
wait_healthy "http://127.0.0.1:$PORT" "$LOG"
URL=http://127.0.0.1:$PORT
if [ "$INSTANCES" -gt 1 ]; then
  UPSTREAMS=("$PORT")
  for n in $(seq 2 "$INSTANCES"); do
    port=$(free_port)
    start_instance "$port" "e2e/artifacts/server-$n.log"
    wait_healthy "http://127.0.0.1:$port" "e2e/artifacts/server-$n.log"
    UPSTREAMS+=("$port")
  done
  node e2e/lb.mjs "$LB_PORT" "${UPSTREAMS[@]}" >e2e/artifacts/lb.log 2>&1 &
  SERVER=$!
  PIDS+=("$SERVER")
  URL=http://127.0.0.1:$LB_PORT
  wait_healthy "$URL" e2e/artifacts/lb.log
fi
echo "e2e: reel serve is up at $URL (data in $DATA)"
cd e2e
status=0
REEL_E2E_URL=$URL REEL_DEMO_PASSWORD=$PASSWORD REEL_E2E_DATA_DIR=$DATA REEL_E2E_BIN=$BIN npx playwright test "$@" || status=$?
# CI keeps only the end of the output: the servers' last errors and 5xx answers go with a failure.
if [ "$status" != 0 ]; then
  for log in "$ROOT/$LOG" $(seq -f "$ROOT/e2e/artifacts/server-%g.log" 2 "$INSTANCES"); do
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E ' ERROR |status_code=5[0-9][0-9]' | tail -5 | sed "s|^|e2e: server log: ${log##*/}: |"
  done
  [ "$INSTANCES" -gt 1 ] && grep '^lb: 502' "$ROOT/e2e/artifacts/lb.log" | tail -5 | sed 's|^|e2e: server log: |'
fi
exit "$status"
