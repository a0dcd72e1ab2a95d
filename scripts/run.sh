#!/usr/bin/env bash
# Sets up what is missing, builds the app and the server (release), and runs
# the product in demo mode on http://127.0.0.1:8080 (data in ./data).
# Any MFA_* variable set by the caller wins (see README, Configuration).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
./scripts/setup.sh
./scripts/build-spa.sh
cargo build --release -p mfa-server
export MFA_DEMO="${MFA_DEMO:-1}"
exec ./target/release/mfa-server
