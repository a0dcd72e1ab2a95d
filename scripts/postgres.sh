#!/usr/bin/env bash
# A local PostgreSQL server for the tests (Debian's package, its default
# cluster): installs and starts it when needed, makes sure the test role
# exists, drops the previous run's test databases, and prints the URL the
# tests take as MFA_TEST_POSTGRES_URL. Logs go to stderr.
set -euo pipefail
source "$(dirname "$0")/env.sh"

if ! command -v pg_lsclusters >/dev/null; then
  { apt-get update -q && apt-get install -y -q --no-install-recommends postgresql; } >&2
fi
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1)
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$cluster" start >&2
fi
as_postgres() { su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qAt $*"; }
as_postgres "-c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mfa_test') THEN CREATE ROLE mfa_test LOGIN CREATEDB PASSWORD 'mfa_test'; END IF; END \\\$\\\$;\"" >&2
for db in $(as_postgres "-c \"SELECT datname FROM pg_database WHERE datname LIKE 'mfa\\_test\\_%'\""); do
  as_postgres "-c \"DROP DATABASE $db\"" >&2
done
echo "postgres://mfa_test:mfa_test@127.0.0.1:$port/postgres"
