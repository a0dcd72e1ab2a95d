#!/usr/bin/env bash
# Sets up what is missing, builds the app and the server (release), and runs
# the product in demo mode on http://127.0.0.1:8080 (data in ./data).
# Any MFA_* variable set by the caller wins (see README, Configuration).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
# The server builds while the tools install and the app builds: on two
# cores each keeps the other's idle moments busy.
cargo build --release -p mfa-server &
server_build=$!
trap 'kill "$server_build" 2>/dev/null || true' EXIT
./scripts/setup.sh
./scripts/build-spa.sh
wait "$server_build"
trap - EXIT
export MFA_DEMO="${MFA_DEMO:-1}"
exec ./target/release/mfa-server
