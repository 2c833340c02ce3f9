#!/usr/bin/env bash
# Runs the Playwright suite against a real `reel serve --demo` on a free port with a throw-away
# data directory; the server is stopped and the directory removed afterwards, also on failure.
# The upload quota is raised for the spec that creates a thousand unfinished uploads.
# Usage: scripts/e2e.sh [playwright args…]   (REEL_BIN picks the server binary)
# With REEL_E2E_S3=name (a server in REEL_TEST_S3, see scripts/s3-servers.sh) the videos go to
# a fresh bucket on that S3 server instead of the local disk.
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
cleanup() {
  if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
    kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true
  fi
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

REEL_BIND=127.0.0.1:$PORT REEL_DATA_DIR=$DATA REEL_WEB_DIR=$ROOT/dist REEL_DEMO_PASSWORD=$PASSWORD \
  REEL_DELETE_GRACE_SECS=${REEL_DELETE_GRACE_SECS:-30} REEL_MAX_UPLOAD_BYTES=${REEL_MAX_UPLOAD_BYTES:-209715200} \
  REEL_MAX_ACTIVE_UPLOADS=${REEL_MAX_ACTIVE_UPLOADS:-2000} \
  "$BIN" serve --demo >"$LOG" 2>&1 &
SERVER=$!
URL=http://127.0.0.1:$PORT
for _ in $(seq 1 100); do
  node -e "fetch('$URL/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))" && break
  kill -0 "$SERVER" 2>/dev/null || { echo "e2e: the server exited:" >&2; cat "$LOG" >&2; exit 1; }
  sleep 0.2
done
echo "e2e: reel serve is up at $URL (data in $DATA)"
cd e2e
REEL_E2E_URL=$URL REEL_DEMO_PASSWORD=$PASSWORD REEL_E2E_DATA_DIR=$DATA REEL_E2E_BIN=$BIN npx playwright test "$@"
