#!/usr/bin/env bash
# Installs what the build and the tests need, only from the package registries.
# Idempotent: every step is skipped when the right version is already there.
# Versions are pinned per ../shared/TOOLCHAIN.md; keep them in step with
# Cargo.lock (wasm-bindgen) and Trunk.toml ([tools] wasm_bindgen).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14   # 0.22 needs a newer rustc

export DEBIAN_FRONTEND=noninteractive

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium chromium-driver
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: its lock file pins a webpki-roots release the registry does not serve.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# wasm-opt from npm's binaryen 132 (never Debian's binaryen 108: blank page) and playwright-core.
if [ ! -x e2e/node_modules/.bin/wasm-opt ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  (cd e2e && npm ci --no-audit --no-fund)
fi
