#!/usr/bin/env bash
# Runs every test; exits non-zero on the first failure. No layer is skipped:
# a missing browser or driver fails the run.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
./scripts/setup.sh --test

echo "== host: domain, app logic, API integration on SQLite (cargo test --workspace)"
cargo test --workspace

echo "== again, with the API integration tests on a real PostgreSQL server"
pg_url="$(./scripts/postgres.sh)"
# The same package selection as above, so cargo rebuilds nothing.
MFA_TEST_POSTGRES_URL="$pg_url" cargo test --workspace

echo "== fuzzing: schemathesis against the OpenAPI description, every operation"
./scripts/fuzz-api.sh

echo "== browser: components in headless Chromium (wasm-bindgen-test)"
cargo test --target wasm32-unknown-unknown

echo "== release build of the app"
./scripts/build-spa.sh
./scripts/size-report.sh

echo "== end to end: release build + real server + Chromium (playwright-core)"
# `cargo test --workspace` built the server binary for the server's integration tests.
server_bin="${CARGO_TARGET_DIR:-target}/debug/mfa-server"
[ -x "$server_bin" ] || { echo "$server_bin is missing" >&2; exit 1; }
(cd e2e && node --test --test-concurrency=1)
