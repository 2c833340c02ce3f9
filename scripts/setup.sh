#!/usr/bin/env bash
# Installs everything `make run` and `make test` need, only what is missing, so running it
# again is quick. Works on a fresh Debian machine that has only the Rust toolchain.
#   scripts/setup.sh        build tools (wasm target, trunk, wasm-bindgen, wasm-opt) and ffmpeg
#   scripts/setup.sh test   the above plus Chromium, the e2e npm packages, schemathesis, the S3
#                           servers and cargo-fuzz
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# Pinned tools that are not cargo's go to one folder outside the checkout, shared by every clone
# on the machine (a fresh clone, as CI makes, finds them installed).
TOOLS=${REEL_TOOLS:-$HOME/.cache/reel-tools}
TRUNK_VERSION=0.21.14
CARGO_FUZZ_VERSION=0.13.2
SCHEMATHESIS_VERSION=4.32.5
S3S_FS_VERSION=0.14.1
MOTO_VERSION=5.2.5
BINARYEN_VERSION=$(sed -n 's/^wasm_opt *= *"version_\([0-9]*\)".*/\1/p' Trunk.toml)
BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=
apt_install() { # apt_install PACKAGE... (installs those not yet installed)
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (apt)"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Rust pieces.
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
for c in rustfmt clippy; do rustup component list --installed | grep -q "^$c" || rustup component add "$c"; done

# C toolchain bits some crates build with (bundled SQLite needs a C compiler).
command -v cc >/dev/null && command -v pkg-config >/dev/null || apt_install build-essential pkg-config
# libpq: the backend links it for PostgreSQL (REEL_DATABASE_URL=postgres://…).
apt_install libpq-dev

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION"
  cargo install --locked "trunk@$TRUNK_VERSION"
fi
# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock. Not --locked: the registry lacks
# one of its locked dependencies.
grep -q "wasm_bindgen = \"$BINDGEN_VERSION\"" Trunk.toml || {
  echo "setup: Trunk.toml [tools] wasm_bindgen must be \"$BINDGEN_VERSION\" (the version in Cargo.lock)" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $BINDGEN_VERSION"
  cargo install --force wasm-bindgen-cli --version "$BINDGEN_VERSION"
fi

# Node and npm: wasm-opt (npm's binaryen; Debian's is too old for today's rustc) and the e2e suite.
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION, npm)"
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"name":"reel-tools","private":true}' > "$TOOLS/package.json"
  npm install --prefix "$TOOLS" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION.0.0"
fi

# ffmpeg makes the posters and thumbnail strips: without it a newcomer's first list has no
# pictures (the server says so once at start-up, and videos still become ready).
apt_install ffmpeg

if [ "${1:-}" = test ]; then
  apt_install chromium fonts-liberation
  # scripts/fuzz.sh: cargo-fuzz builds libFuzzer itself (needs g++) and runs on stable Rust.
  command -v c++ >/dev/null || apt_install g++
  if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install --locked "cargo-fuzz@$CARGO_FUZZ_VERSION"
  fi
  # schemathesis (scripts/schemathesis.sh), pinned, in its own venv so the system Python is
  # left as it is.
  if [ "$("$TOOLS/schemathesis/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
    command -v python3 >/dev/null || apt_install python3
    python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
    say "installing schemathesis $SCHEMATHESIS_VERSION (pip, $TOOLS/schemathesis)"
    rm -rf "$TOOLS/schemathesis"
    python3 -m venv "$TOOLS/schemathesis"
    "$TOOLS/schemathesis/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  # Two local S3 servers for the S3 provider's tests (scripts/s3-server.sh): s3s-fs (newer
  # versions need a newer rustc) and moto, which checks multipart ETags and part sizes.
  if ! cargo install --list | grep -qx "s3s-fs v$S3S_FS_VERSION:"; then
    say "installing s3s-fs $S3S_FS_VERSION"
    cargo install --locked s3s-fs --version "$S3S_FS_VERSION" --features binary 2>/dev/null \
      || cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary
  fi
  if [ "$("$TOOLS/moto/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null)" != "$MOTO_VERSION" ]; then
    command -v python3 >/dev/null || apt_install python3
    python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
    say "installing moto $MOTO_VERSION (pip, $TOOLS/moto)"
    rm -rf "$TOOLS/moto"
    python3 -m venv "$TOOLS/moto"
    "$TOOLS/moto/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  fi
  # The PostgreSQL test pass needs a server at 127.0.0.1:5432 (trust auth); each run creates
  # and drops databases of its own. Start the machine's cluster if it is installed but down.
  command -v psql >/dev/null || apt_install postgresql-client
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
    say "starting PostgreSQL"
    for cluster in $(pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}'); do
      as_root pg_ctlcluster "${cluster%/*}" "${cluster#*/}" start || true
    done
  fi
  if [ ! -d e2e/node_modules ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
    say "installing e2e packages (npm ci)"
    (cd e2e && npm ci --no-audit --no-fund --silent)
  fi
fi
say "ready"
