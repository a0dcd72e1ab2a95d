#!/usr/bin/env bash
# Benchmarks: builds the release (server and app), then target/release/mfa-bench
# seeds a temporary data dir, starts the real server on a free port, measures
# page weight and load in headless Chromium, the API under load with wrk, the
# second step alone on SQLite and PostgreSQL, a mixed load against one
# instance and against scripts/cluster.sh, and a 100,000-member company, and
# writes BENCHMARKS.md. Options after the script
# name go to mfa-bench (--runs N, --seconds S, --members N, --out FILE).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
./scripts/setup.sh --test
if ! command -v wrk >/dev/null; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends wrk
fi
./scripts/build-spa.sh
cargo build --release -p mfa-server -p mfa-bench
# The second step on PostgreSQL too, in an empty database of its own.
pg_url="$(./scripts/postgres.sh)"
db="mfa_bench_$$"
psql "$pg_url" -qc "CREATE DATABASE $db"
trap 'psql "$pg_url" -qc "DROP DATABASE IF EXISTS $db"' EXIT
target/release/mfa-bench --database-url "${pg_url%/*}/$db" "$@"
