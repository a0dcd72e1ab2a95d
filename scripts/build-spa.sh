#!/usr/bin/env bash
# Release build of the single-page app into dist/, split by route: the
# sign-in page and the Password & Security tab come with the app's main
# module; every other page (Company Settings, the help article, each
# enrollment flow...) is a wasm chunk fetched when first opened.
#   1. Trunk builds the page around the app: index.html, the CSS, public/
#      (offline; the wasm is not Trunk's: its hooks cannot reach the step
#      between linking and wasm-bindgen where the split must happen);
#   2. cargo builds the app (profile wasm-release; the linker keeps its
#      relocations, .cargo/config.toml);
#   3. wasm-split-cli cuts it at each #[lazy_route];
#   4. wasm-bindgen (--keep-lld-exports, which the chunks link against)
#      makes the main module's JavaScript;
#   5. wasm-opt -Oz on every module;
#   6. scripts/link-split.mjs names every file by its content and starts
#      the app from index.html;
#   7. brotli and gzip copies the server sends to browsers that accept them.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
target="${CARGO_TARGET_DIR:-$ROOT/target}"
staging="$target/spa-split"

trunk build --release
cargo build --target wasm32-unknown-unknown --profile wasm-release --bin mfa-app
linked="$target/wasm32-unknown-unknown/wasm-release/mfa-app.wasm"
features=(--enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-reference-types --enable-multivalue)
# Steps 3 to 5 take a minute or more; they are skipped when the linked app
# and the tools are the ones of the last run (the test command after run.sh).
stamp="$(sha256sum "$linked" | cut -d' ' -f1) $(sha256sum "$(command -v wasm-split-cli)" | cut -d" " -f1)
$(wasm-bindgen --version) $(wasm-opt --version) ${features[*]} $(sha256sum "$0" | cut -d' ' -f1)"
if [ -f "$staging/.stamp" ] && [ "$(cat "$staging/.stamp")" = "$stamp" ]; then
  echo "build-spa: the app is unchanged since its last split; reusing $staging"
else
  rm -rf "$staging" && mkdir -p "$staging/split"
  wasm-split-cli "$linked" "$staging/split" --target web --out-name mfa-app
  wasm-bindgen --target web --keep-lld-exports --no-typescript \
    --out-dir "$staging" --out-name mfa-app "$staging/split/mfa-app.wasm"
  rm "$staging/split/mfa-app.wasm"
  mv "$staging/split/"* "$staging/"
  for module in "$staging"/*.wasm; do
    wasm-opt -Oz "${features[@]}" "$module" -o "$module"
  done
  echo "$stamp" >"$staging/.stamp"
fi
node scripts/link-split.mjs "$staging" dist
node scripts/precompress.mjs dist
