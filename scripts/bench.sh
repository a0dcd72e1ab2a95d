#!/usr/bin/env bash
# Benchmarks: builds the release (server and app), then target/release/mfa-bench
# seeds a temporary data dir, starts the real server on a free port, measures
# page weight and load in headless Chromium, the API under load with wrk, and a
# 100,000-member company, and writes BENCHMARKS.md. Options after the script
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
target/release/mfa-bench "$@"
