#!/usr/bin/env bash
# Release build of the single-page app into dist/ (Trunk, offline, wasm-opt -Oz),
# plus brotli and gzip copies the server sends to browsers that accept them.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
trunk build --release
node scripts/precompress.mjs dist
