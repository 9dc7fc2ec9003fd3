#!/usr/bin/env bash
# PgBouncer (Debian's package) in transaction pooling mode in front of a PostgreSQL server, for the
# PgBouncer tests, with its config in a temporary directory.
#
#   tooling/replicas/pgbouncer.sh start <dir> <port> <server-port> [max_prepared_statements]
#       prints "url=postgres://... version=1.18.0" once it answers
#   tooling/replicas/pgbouncer.sh stop <dir>
set -euo pipefail

cmd=${1:?start or stop}
dir=${2:?a directory}
bouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[ -x "$bouncer" ] || { echo "pgbouncer not found: apt-get install pgbouncer" >&2; exit 3; }

stop() {
  local pid
  pid=$(cat "$dir/pgbouncer.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$dir"
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: $0 start <dir> <port> <server-port> [max_prepared_statements] | stop <dir>" >&2; exit 2; }
port=${3:?port}
server=${4:?server port}
prepared=${5:-0}

stop
mkdir -p "$dir"
version=$("$bouncer" --version | head -n1 | awk '{print $2}')
{
  echo "[databases]"
  echo "* = host=127.0.0.1 port=$server"
  echo "[pgbouncer]"
  echo "listen_addr = 127.0.0.1"
  echo "listen_port = $port"
  echo "unix_socket_dir ="
  echo "auth_type = trust"
  echo "auth_file = $dir/users.txt"
  echo "pool_mode = transaction"
  echo "max_client_conn = 500"
  echo "default_pool_size = 10"
  echo "ignore_startup_parameters = extra_float_digits,statement_timeout,options"
  echo "pidfile = $dir/pgbouncer.pid"
  echo "logfile = $dir/pgbouncer.log"
  # max_prepared_statements exists from 1.21 on; older versions refuse an unknown setting
  [ "$prepared" != 0 ] && echo "max_prepared_statements = $prepared"
} >"$dir/pgbouncer.ini"
echo '"postgres" ""' >"$dir/users.txt"
[ "$(id -u)" = 0 ] && chown -R postgres "$dir"
if [ "$(id -u)" = 0 ]; then
  runuser -u postgres -- "$bouncer" -d "$dir/pgbouncer.ini" >/dev/null
else
  "$bouncer" -d "$dir/pgbouncer.ini" >/dev/null
fi
for _ in $(seq 1 100); do
  psql -h 127.0.0.1 -p "$port" -U postgres -d test -tAc "select 1" >/dev/null 2>&1 && break
  sleep 0.1
done
psql -h 127.0.0.1 -p "$port" -U postgres -d test -tAc "select 1" >/dev/null || { echo "pgbouncer did not answer; its log:" >&2; tail -n 20 "$dir/pgbouncer.log" >&2; exit 1; }
echo "url=postgres://postgres@127.0.0.1:$port/test version=$version"
