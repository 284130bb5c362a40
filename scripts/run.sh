#!/usr/bin/env bash
# The run command: installs what is missing, builds the player bundle (release)
# and the server, then starts the server on the embedded SQLite default
# (data/huodong.sqlite3) with the demo seeded, and prints the URL to open.
# Extra arguments go to the server, e.g. `scripts/run.sh --listen 0.0.0.0:8080`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/tools.sh
ensure_build_tools

log "building the player bundle (trunk build --release)"
trunk build --release >&2
log "building the server (cargo build --release)"
cargo build --release --locked -p huodong-server >&2

exec target/release/huodong-server --seed-demo "$@"
