# Reel. `make run` and `make test` install what is missing first (scripts/setup.sh).
SHELL := /bin/bash
# Pinned tools that are not cargo's live outside the checkout (scripts/setup.sh).
export REEL_TOOLS ?= $(HOME)/.cache/reel-tools
export PATH := $(REEL_TOOLS)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

FRONTEND_SOURCES := $(shell find frontend/src shared/src -name '*.rs') frontend/Cargo.toml \
	frontend/styles.css frontend/favicon.svg index.html Trunk.toml Cargo.lock

.PHONY: run test setup build frontend bench fmt clean e2e-soak fuzz-long

## run: set up, build frontend and backend in release mode, serve the demo on 127.0.0.1:8080
run: build
	./target/release/reel serve --demo

## test: set up, then fmt, clippy (host and wasm), unit and integration tests, e2e (Playwright)
test:
	scripts/setup.sh test
	scripts/test.sh

## e2e-soak: the Playwright suite five times in a row, each on a fresh server (after `make test`)
e2e-soak:
	scripts/e2e-soak.sh 5

## fuzz-long: every fuzz target for FUZZ_MINUTES (default 5) minutes each, from the seeds
fuzz-long: setup
	scripts/setup.sh test
	FUZZ_SECONDS=$$(( $${FUZZ_MINUTES:-5} * 60 )) scripts/fuzz.sh

## bench: upload and delete benchmarks (figures go to BENCHMARKS.md)
bench: build
	scripts/bench.sh

setup:
	scripts/setup.sh

build: setup dist/index.html
	cargo build --release -p backend

frontend: setup dist/index.html

# Rebuilt only when a frontend source changed, so a second `make run` starts in seconds.
dist/index.html: $(FRONTEND_SOURCES)
	trunk build --release
	@scripts/bundle-size.sh

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf dist e2e/test-results e2e/playwright-report e2e/artifacts
