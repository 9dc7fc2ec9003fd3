#!/usr/bin/env bash
# A real MariaDB replication pair (GTID) for the replica tests, in a temporary directory: two
# `mariadbd` processes with their own datadirs, the second a replica of the first. Leaves the
# machine's own server alone.
#
#   tooling/replicas/mariadb-replication.sh start <dir> <primary-port> <replica-port>
#       prints "primary=mysql://... replica=mysql://..." once the replica runs
#   tooling/replicas/mariadb-replication.sh stop-replica <dir>   (the replica only: a replica that goes away)
#   tooling/replicas/mariadb-replication.sh stop <dir>
set -euo pipefail

cmd=${1:?start or stop}
dir=${2:?a directory}
command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || { echo "mariadbd not found" >&2; exit 3; }
mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
user_opt=()
[ "$(id -u)" = 0 ] && user_opt=(--user=mysql)

sql() { mariadb -h 127.0.0.1 -P "$1" -u root -N -e "$2"; }

stop_node() {
  local pid
  pid=$(cat "$dir/$1.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
}

stop() {
  for node in replica primary; do
    stop_node "$node"
  done
  rm -rf "$dir"
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
if [ "$cmd" = stop-replica ]; then stop_node replica; exit 0; fi
[ "$cmd" = start ] || { echo "usage: $0 start <dir> <primary-port> <replica-port> | stop <dir>" >&2; exit 2; }
pport=${3:?primary port}
rport=${4:?replica port}

stop
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown mysql "$dir"

start_node() { # name port server-id extra...
  local name=$1 port=$2 id=$3
  shift 3
  mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$dir/$name" --auth-root-authentication-method=normal --skip-test-db >/dev/null
  "$mariadbd" --no-defaults "${user_opt[@]}" --datadir="$dir/$name" --port="$port" --bind-address=127.0.0.1 \
    --socket="$dir/$name.sock" --pid-file="$dir/$name.pid" --log-error="$dir/$name.err" --server-id="$id" \
    --innodb-buffer-pool-size=32M --innodb-flush-log-at-trx-commit=0 --skip-name-resolve "$@" >>"$dir/$name.out" 2>&1 </dev/null &
  for _ in $(seq 1 300); do mariadb-admin -h 127.0.0.1 -P "$port" -u root ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "mariadbd $name did not start; its log:" >&2
  tail -n 30 "$dir/$name.err" >&2
  exit 1
}

start_node primary "$pport" 1 --log-bin="$dir/primary-bin" --binlog-format=ROW
start_node replica "$rport" 2 --read-only=1 --relay-log="$dir/replica-relay"
sql "$pport" "CREATE DATABASE test"
sql "$rport" "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$pport, MASTER_USER='root', MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos; START SLAVE"
for _ in $(seq 1 100); do
  running=$(sql "$rport" "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'test'")
  [ "$running" = 1 ] && break
  sleep 0.1
done
[ "$running" = 1 ] || { echo "the replica did not catch up; logs in $dir" >&2; exit 1; }
echo "primary=mysql://root@127.0.0.1:$pport/test replica=mysql://root@127.0.0.1:$rport/test"
