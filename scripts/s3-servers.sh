#!/usr/bin/env bash
# The local S3 servers the tests run against, each on a free port with its own data:
#   s3s         s3s-fs (files on disk)
#   moto        moto's server: checks multipart ETags and S3's 5 MiB smallest part
#   moto-small  moto with a 1 KiB smallest part, for uploads of more than 1,000 parts
#
#   eval "$(scripts/s3-servers.sh start)"   starts them; exports REEL_TEST_S3 (name=url,…),
#                                           the AWS_* credentials they take, S3_SERVERS_PIDS
#   scripts/s3-servers.sh stop              stops the ones in $S3_SERVERS_PIDS
# Logs go to $S3_SERVERS_DIR (a temporary directory unless set).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for PORT NAME
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "s3-servers: $2 did not start on port $1 (log: $DIR/$2.log)" >&2
  tail -20 "$DIR/$2.log" >&2 || true
  return 1
}

case "${1:-}" in
  start)
    DIR=${S3_SERVERS_DIR:-$(mktemp -d -t reel-s3-XXXXXX)}
    mkdir -p "$DIR/s3s-data"
    KEY=reel-test SECRET=reel-test-secret
    MOTO=${REEL_TOOLS:-$HOME/.cache/reel-tools}/moto/bin/moto_server
    [ -x "$MOTO" ] || MOTO=$(command -v moto_server) || { echo "s3-servers: moto_server is missing (scripts/setup.sh test installs it)" >&2; exit 1; }
    command -v s3s-fs >/dev/null || { echo "s3-servers: s3s-fs is missing (scripts/setup.sh test installs it)" >&2; exit 1; }
    pids=()
    p1=$(free_port)
    s3s-fs --access-key "$KEY" --secret-key "$SECRET" --host 127.0.0.1 --port "$p1" "$DIR/s3s-data" >"$DIR/s3s.log" 2>&1 &
    pids+=($!)
    p2=$(free_port)
    "$MOTO" -H 127.0.0.1 -p "$p2" >"$DIR/moto.log" 2>&1 &
    pids+=($!)
    p3=$(free_port)
    S3_UPLOAD_PART_MIN_SIZE=1024 "$MOTO" -H 127.0.0.1 -p "$p3" >"$DIR/moto-small.log" 2>&1 &
    pids+=($!)
    wait_for "$p1" s3s && wait_for "$p2" moto && wait_for "$p3" moto-small || { kill "${pids[@]}" 2>/dev/null; exit 1; }
    echo "export REEL_TEST_S3=s3s=http://127.0.0.1:$p1,moto=http://127.0.0.1:$p2,moto-small=http://127.0.0.1:$p3"
    echo "export AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET S3_SERVERS_PIDS='${pids[*]}' S3_SERVERS_DIR=$DIR"
    ;;
  stop)
    [ -n "${S3_SERVERS_PIDS:-}" ] && kill $S3_SERVERS_PIDS 2>/dev/null || true
    ;;
  *)
    echo "usage: scripts/s3-servers.sh start|stop" >&2; exit 2 ;;
esac
