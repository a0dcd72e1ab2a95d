#!/usr/bin/env bash
# What a browser downloads: each file of dist/, raw and gzip, and the totals.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
[ -f dist/index.html ] || { echo "dist/ is empty: run scripts/build-spa.sh first" >&2; exit 1; }
printf '%-48s %10s %10s\n' "file" "raw (B)" "gzip (B)"
total_raw=0 total_gz=0
while IFS= read -r f; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz))
  printf '%-48s %10d %10d\n' "${f#dist/}" "$raw" "$gz"
done < <(find dist -type f ! -name '*.gz' | sort)
printf '%-48s %10d %10d\n' "TOTAL" "$total_raw" "$total_gz"
