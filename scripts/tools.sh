#!/usr/bin/env bash
# Installs, idempotently and from the package registries only, what building the
# bundle needs: the wasm32 target, wasm-bindgen-cli at the version Cargo.lock pins,
# Trunk, and binaryen's wasm-opt from npm (Debian's wasm-opt 108 breaks the bundle).
# With --browser also Chromium, ChromeDriver and a CJK font from Debian.
# Source it (`. scripts/tools.sh`) so PATH keeps the tools; it is quiet when all is there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132.0.0"
TOOLS_DIR="${HUODONG_TOOLS_DIR:-$HOME/.cache/huodong-tools}"
export PATH="$HOME/.cargo/bin:$TOOLS_DIR/binaryen/node_modules/.bin:$PATH"

log() { printf '\033[1;34m[tools]\033[0m %s\n' "$*" >&2; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# The CLI must equal the wasm-bindgen crate that Cargo.lock resolved.
wasm_bindgen_locked_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_bindgen() {
  local want have
  want="$(wasm_bindgen_locked_version)"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$have" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (a few minutes, once)"
    # Not --locked: its lockfile names a webpki-roots the registry does not serve.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}' || true)" != "$TRUNK_VERSION" ]; then
    log "installing trunk $TRUNK_VERSION (several minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked --no-default-features --features rustls --force
  fi
}

ensure_binaryen() {
  if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}' || true)" != "${BINARYEN_VERSION%%.*}" ]; then
    log "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm"
    mkdir -p "$TOOLS_DIR/binaryen"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR/binaryen" "binaryen@$BINARYEN_VERSION" >&2
  fi
}

ensure_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
     || ! fc-list 2>/dev/null | grep -qi 'WenQuanYi'; then
    log "installing chromium, chromium-driver and a CJK font from Debian"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >&2
  fi
}

ensure_build_tools() {
  ensure_wasm_target
  ensure_binaryen
  ensure_trunk
  ensure_wasm_bindgen
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_build_tools
  if [ "${1:-}" = "--browser" ]; then ensure_browser; fi
fi
