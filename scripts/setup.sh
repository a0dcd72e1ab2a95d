#!/usr/bin/env bash
# Installs what building (and, with --test, testing) needs, only from the
# package registries. Idempotent: each step is skipped when the right version
# is already there, so a warm machine is ready in seconds.
# Versions per ../shared/TOOLCHAIN.md; keep them in step with Cargo.lock
# (wasm-bindgen), Trunk.toml ([tools] wasm_bindgen) and e2e/package.json.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

WASM_BINDGEN_VERSION=0.2.130
WASM_SPLIT_VERSION=0.2.4   # wasm_split_cli_support: splits the app by route (build-spa.sh)
TRUNK_VERSION=0.21.14   # 0.22 needs a newer rustc than 1.95

apt_install() {
  apt-get update -q
  apt-get install -y -q --no-install-recommends "$@"
}

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
command -v npm >/dev/null || apt_install nodejs npm
if [ "${1:-}" = "--test" ]; then
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  # A real reverse proxy in front of an app, for the forward-auth tests
  # (started by the tests themselves on a free loopback port).
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx
fi

# Build tools, not the product: a quick, lightly optimised build of each is
# enough (on a fresh 2-core machine Trunk alone took 10 minutes with its own
# release profile).
tool_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false cargo install "$@"
}
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  tool_install trunk --version "$TRUNK_VERSION" --locked
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: its lock file pins a webpki-roots release the registry does not serve.
  tool_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if ! cargo install --list | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  tool_install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --locked --features build-binary
fi
# binaryen 132's wasm-opt (never Debian's 108: blank page) and playwright-core.
if [ ! -x e2e/node_modules/.bin/wasm-opt ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  (cd e2e && npm ci --no-audit --no-fund)
fi
