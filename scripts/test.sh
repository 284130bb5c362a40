#!/usr/bin/env bash
# The test command: installs what is missing (build tools, Chromium,
# ChromeDriver, a CJK font), checks format and lints, builds the release
# bundle, runs every test on SQLite and again on PostgreSQL (each test on its
# own fresh database), the browser tests included, and the bundle benchmark.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/tools.sh
. scripts/postgres.sh
started=$SECONDS
step() { log "── $* ($((SECONDS - started)) s)"; }

step "tools"
ensure_build_tools
ensure_browser

step "format"
cargo fmt --all -- --check

step "bundles: trunk build --release (player, then the console into dist/console)"
trunk build --release >&2
trunk build console/index.html --release true --dist dist/console --public-url /console/ >&2

step "lints"
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked -p huodong-app -p huodong-console --target wasm32-unknown-unknown -- -D warnings

step "PostgreSQL"
ensure_postgres

step "tests on SQLite"
HUODONG_TEST_BACKEND=sqlite cargo test --locked --workspace

step "tests on PostgreSQL"
HUODONG_TEST_BACKEND=postgres cargo test --locked --workspace

step "benchmarks: bundle size, first render"
cargo run --locked -q -p huodong-bench -- bundle
cargo run --locked -q -p huodong-bench -- first-render

step "all tests passed"
