#!/usr/bin/env bash
# Two server instances on one PostgreSQL behind nginx (Debian's package),
# on loopback only, for the tests and for a person trying it out:
#
#   scripts/cluster.sh up     starts PostgreSQL (scripts/postgres.sh), a fresh
#                             database, both instances and nginx on free ports;
#                             prints the cluster's variables (also written to
#                             $MFA_CLUSTER_DIR/env, to `source`)
#   scripts/cluster.sh down   stops them, drops the database, removes the dir
#   scripts/cluster.sh start a|b   starts that instance again (after a kill),
#                             with the same settings; waits for its health
#
# MFA_CLUSTER_DIR (default /tmp/mfa-cluster) holds everything: each
# instance's data dir and log, the shared server key, nginx's config, pid,
# logs and temporary paths. SERVER_BIN picks the server binary (default:
# target/debug/mfa-server, built when missing). Extra MFA_* settings for both
# instances go in MFA_CLUSTER_EXTRA_ENV ("NAME=value NAME=value").
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

dir="${MFA_CLUSTER_DIR:-${TMPDIR:-/tmp}/mfa-cluster}"
server_bin="${SERVER_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/mfa-server}"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# Waits until `url` answers 200 to a request for the public `host` (every
# request must name it, health checks too: DNS-rebinding protection), or
# gives up with the log.
wait_for() {
  local url="$1" log="$2" host="$3"
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null -H "Host: $host" "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "cluster: $url did not come up; its log:" >&2
  tail -n 40 "$log" >&2 || true
  return 1
}

# Starts an instance from its settings file ($dir/<instance>.env).
launch() {
  local instance="$1"
  # shellcheck disable=SC2046
  env $(cat "$dir/$instance.env") "$(cat "$dir/server-bin")" >>"$dir/$instance.log" 2>&1 &
  echo $! >"$dir/$instance.pid"
}

# `start a|b`: the instance again (after a kill), once it answers.
start() {
  local instance="$1"
  case "$instance" in a | b) ;; *) echo "usage: $0 start a|b" >&2; exit 2 ;; esac
  # shellcheck disable=SC1091
  source "$dir/env"
  launch "$instance"
  local url="$MFA_CLUSTER_A"
  [ "$instance" = b ] && url="$MFA_CLUSTER_B"
  wait_for "$url/api/health" "$dir/$instance.log" "${MFA_CLUSTER_URL#http://}"
  echo "MFA_CLUSTER_${instance^^}_PID=$(cat "$dir/$instance.pid")"
}

down() {
  [ -d "$dir" ] || return 0
  if [ -f "$dir/nginx.pid" ]; then
    kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  fi
  for instance in a b; do
    if [ -f "$dir/$instance.pid" ]; then
      kill "$(cat "$dir/$instance.pid")" 2>/dev/null || true
    fi
  done
  sleep 0.5
  if [ -f "$dir/env" ]; then
    # shellcheck disable=SC1091
    source "$dir/env"
    psql "$MFA_CLUSTER_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $MFA_CLUSTER_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

up() {
  down
  mkdir -p "$dir"/{a,b,nginx-temp}
  chmod 700 "$dir"
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { apt-get update -q && apt-get install -y -q --no-install-recommends nginx; } >&2
  command -v curl >/dev/null || { apt-get update -q && apt-get install -y -q --no-install-recommends curl; } >&2
  [ -x "$server_bin" ] || cargo build -p mfa-server >&2

  local admin_url db db_url
  admin_url="$(./scripts/postgres.sh)"
  # mfa_test_*: scripts/postgres.sh drops a database left behind.
  db="mfa_test_cluster_$$"
  psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null
  db_url="${admin_url%/*}/$db"

  local port_a port_b port_proxy
  port_a="$(free_port)"
  port_b="$(free_port)"
  port_proxy="$(free_port)"
  local public="http://127.0.0.1:$port_proxy"

  cat >"$dir/nginx.conf" <<EOF
daemon on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $dir/nginx-access.log;
  client_body_temp_path $dir/nginx-temp/body;
  proxy_temp_path $dir/nginx-temp/proxy;
  fastcgi_temp_path $dir/nginx-temp/fastcgi;
  uwsgi_temp_path $dir/nginx-temp/uwsgi;
  scgi_temp_path $dir/nginx-temp/scgi;
  # Passive health checks: an instance that fails is left out for 5 s;
  # an idempotent request it failed goes to the other one.
  upstream twostep {
    server 127.0.0.1:$port_a max_fails=1 fail_timeout=5s;
    server 127.0.0.1:$port_b max_fails=1 fail_timeout=5s;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$port_proxy;
    location / {
      proxy_pass http://twostep;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
EOF

  # Both instances: the same database, server key and public URL; the
  # proxy trusted for X-Forwarded-For. They start at the same moment:
  # migrations take PostgreSQL's advisory lock, and the key is created once.
  local instance port
  for instance in a b; do
    port="$port_a"
    [ "$instance" = b ] && port="$port_b"
    {
      echo "MFA_BIND=127.0.0.1:$port"
      echo "MFA_DATA_DIR=$dir/$instance"
      echo "MFA_DATABASE_URL=$db_url"
      echo "MFA_SECRET_KEY_FILE=$dir/server.key"
      echo "MFA_PUBLIC_URL=$public"
      echo "MFA_TRUSTED_PROXIES=127.0.0.1/32"
      echo "MFA_DEMO=${MFA_DEMO:-1}"
      echo "MFA_DEMO_PASSWORD=${MFA_DEMO_PASSWORD:-cluster-demo-password}"
      echo "MFA_DIST_DIR=${MFA_DIST_DIR:-$ROOT/dist}"
      echo "RUST_LOG=${RUST_LOG:-info}"
      for extra in ${MFA_CLUSTER_EXTRA_ENV:-}; do echo "$extra"; done
    } >"$dir/$instance.env"
    echo "$server_bin" >"$dir/server-bin"
    launch "$instance"
  done
  local host="127.0.0.1:$port_proxy"
  wait_for "http://127.0.0.1:$port_a/api/health" "$dir/a.log" "$host"
  wait_for "http://127.0.0.1:$port_b/api/health" "$dir/b.log" "$host"
  "$nginx_bin" -p "$dir" -c "$dir/nginx.conf"
  wait_for "$public/api/health" "$dir/nginx-error.log" "$host"

  cat >"$dir/env" <<EOF
MFA_CLUSTER_URL=$public
MFA_CLUSTER_A=http://127.0.0.1:$port_a
MFA_CLUSTER_B=http://127.0.0.1:$port_b
MFA_CLUSTER_A_PID=$(cat "$dir/a.pid")
MFA_CLUSTER_B_PID=$(cat "$dir/b.pid")
MFA_CLUSTER_DATABASE_URL=$db_url
MFA_CLUSTER_ADMIN_URL=$admin_url
MFA_CLUSTER_DB=$db
MFA_CLUSTER_DIR=$dir
EOF
  cat "$dir/env"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  start) start "${2:-}" ;;
  *) echo "usage: $0 up|down|start a|b" >&2; exit 2 ;;
esac
