#!/usr/bin/env bash
# Fuzzes every operation of the API's OpenAPI description
# (GET /api/openapi.json) with schemathesis from PyPI against a real server
# (the debug binary, demo mode, a fresh SQLite database): signed out, signed
# in as a member, and as an admin who has just confirmed their password (so
# the sensitive operations are reached too). Fails on any 5xx, any status,
# content type or body the description does not allow, and any request over
# the timeout; prints each run's summary.
#   FUZZ_EXAMPLES   examples per operation and phase (default 10)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

SCHEMATHESIS_VERSION=4.32.5
examples="${FUZZ_EXAMPLES:-10}"
server_bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/mfa-server"
[ -x "$server_bin" ] || cargo build -q -p mfa-server
venv="${CARGO_TARGET_DIR:-$ROOT/target}/schemathesis-$SCHEMATHESIS_VERSION"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

dir="$(mktemp -d /tmp/mfa-fuzz.XXXXXX)"
port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
url="http://127.0.0.1:$port"
password="fuzz-demo-password-$RANDOM$RANDOM"
MFA_BIND="127.0.0.1:$port" MFA_PUBLIC_URL="$url" MFA_DATA_DIR="$dir/data" MFA_DEMO=1 \
  MFA_DEMO_PASSWORD="$password" RUST_LOG=warn "$server_bin" >"$dir/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  curl -fs "$url/api/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "$url/api/health" >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

# A request as the app sends it; prints the session cookie it was given.
api() {
  local path="$1" body="$2" cookie="${3:-}"
  curl -fs -D - -o /dev/null -H "x-mfa-csrf: 1" -H "Origin: $url" \
    -H "Content-Type: application/json" ${cookie:+-H "Cookie: $cookie"} -d "$body" "$url/api$path" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(mfa_session=[^;]*\).*/\1/p'
}
signed_in() {
  local cookie
  cookie="$(api /sign-in "{\"email\":\"$1\",\"password\":\"$password\"}")"
  api /reauth "{\"password\":\"$password\"}" "$cookie"
}
member="$(signed_in member@demo.test)"
admin="$(signed_in admin@demo.test)"
me="$(curl -fs -H "Cookie: $admin" "$url/api/me")"
export FUZZ_COMPANY_ID FUZZ_MEMBER_ID
FUZZ_COMPANY_ID="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["memberships"][0]["company"]["id"])' <<<"$me")"
FUZZ_MEMBER_ID="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])' <<<"$(curl -fs -H "Cookie: $member" "$url/api/me")")"

failed=0
run() {
  local who="$1" cookie="$2"
  echo "-- schemathesis, $who: $examples examples per operation and phase"
  local out="$dir/$who.log"
  if "$venv/bin/schemathesis" --config-file "$ROOT/scripts/schemathesis.toml" --no-color run \
    "$url/api/openapi.json" --url "$url" \
    -H "x-mfa-csrf: 1" -H "Origin: $url" ${cookie:+-H "Cookie: $cookie"} \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing --max-examples "$examples" --request-timeout 10 \
    --exclude-path /api/sign-out ${FUZZ_REPORT:+--report har --report-dir "$FUZZ_REPORT/${who// /-}"} --seed "${FUZZ_SEED:-$RANDOM}" --workers 2 >"$out" 2>&1; then
    sed -n '/^Test cases:/,/^Seed:/p' "$out" | grep -v '^$'
  else
    # The failures and errors, from the first of their headings on.
    sed -n '/^=* \(FAILURES\|ERRORS\) =*$/,$p' "$out" | grep . || tail -80 "$out"
    failed=1
  fi
}
run "signed out" ""
run "a member" "$member"
run "an admin" "$admin"
if grep -q "panicked" "$dir/server.log"; then
  grep -A3 "panicked" "$dir/server.log" >&2
  failed=1
fi
exit "$failed"
