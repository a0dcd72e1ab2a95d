#!/usr/bin/env bash
# The long tests, beside the test command (which runs each once): every
# fault point of `server/tests/faults` 20 times (MFA_FAULT_REPEAT), the
# server dying at a random one of the times it reaches the point, on SQLite
# and then on PostgreSQL; prints each point's tally. About 3 minutes.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
repeat="${MFA_FAULT_REPEAT:-20}"

echo "== faults on SQLite, $repeat times each"
MFA_FAULT_REPEAT="$repeat" cargo test -q -p mfa-server --test faults -- --nocapture 2>&1 |
  grep -E '^fault .* on (SQLite|PostgreSQL)|test result|panicked|FAILED'
echo "== faults on PostgreSQL, $repeat times each"
pg_url="$(./scripts/postgres.sh)"
MFA_TEST_POSTGRES_URL="$pg_url" MFA_FAULT_REPEAT="$repeat" \
  cargo test -q -p mfa-server --test faults -- --nocapture 2>&1 |
  grep -E '^fault .* on (SQLite|PostgreSQL)|test result|panicked|FAILED'
