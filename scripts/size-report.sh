#!/usr/bin/env bash
# What a browser downloads: each file of dist/, raw, gzip and brotli (as
# served: the build's precompressed copies), and the totals.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
[ -f dist/index.html ] || { echo "dist/ is empty: run scripts/build-spa.sh first" >&2; exit 1; }
printf '%-48s %10s %10s %10s\n' "file" "raw (B)" "gzip (B)" "brotli (B)"
total_raw=0 total_gz=0 total_br=0
while IFS= read -r f; do
  raw=$(stat -c %s "$f")
  gz=$( [ -f "$f.gz" ] && stat -c %s "$f.gz" || echo "$raw")
  br=$( [ -f "$f.br" ] && stat -c %s "$f.br" || echo "$raw")
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
  printf '%-48s %10d %10d %10d\n' "${f#dist/}" "$raw" "$gz" "$br"
done < <(find dist -type f ! -name '*.gz' ! -name '*.br' | sort)
printf '%-48s %10d %10d %10d\n' "TOTAL" "$total_raw" "$total_gz" "$total_br"
# What the sign-in page and the tab must fetch, against size-budget.toml.
node scripts/size-budget.mjs dist size-budget.toml
