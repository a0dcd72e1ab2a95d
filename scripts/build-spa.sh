#!/usr/bin/env bash
# Release build of the single-page app into dist/ (Trunk, offline, wasm-opt -Oz),
# plus gzip copies the server sends to browsers that accept them.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
trunk build --release
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) \
  -exec gzip -9 -k -f {} \;
