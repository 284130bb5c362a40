#!/usr/bin/env bash
# The run command: installs what is missing, builds the player bundle (release),
# the server and the reference partner, then starts the reference partner
# (the demo partner's callbacks: points, coupons, events, login) and the server
# on the embedded SQLite default (data/huodong.sqlite3) with the demo seeded,
# and prints the URL to open. Extra arguments go to the server.
# HUODONG_LISTEN / PARTNER_LISTEN choose the ports (127.0.0.1:8080 / :8090).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/tools.sh
ensure_build_tools

log "building the player bundle and the merchant console (trunk build --release)"
trunk build --release >&2
trunk build console/index.html --release true --dist dist/console --public-url /console/ >&2
log "building the server and the reference partner (cargo build --release)"
cargo build --release --locked -p huodong-server -p huodong-partner >&2

export HUODONG_LISTEN="${HUODONG_LISTEN:-127.0.0.1:8080}"
export PARTNER_LISTEN="${PARTNER_LISTEN:-127.0.0.1:8090}"
runtime_url="${HUODONG_PUBLIC_URL:-http://$HUODONG_LISTEN}"
target/release/huodong-partner --runtime-url "$runtime_url" &
partner_pid=$!
trap 'kill "$partner_pid" 2>/dev/null || true' EXIT INT TERM
HUODONG_DEMO_PARTNER_URL="http://$PARTNER_LISTEN" target/release/huodong-server --seed-demo "$@"
