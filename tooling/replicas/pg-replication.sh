#!/usr/bin/env bash
# A real PostgreSQL streaming-replication pair for the replica tests, in a temporary directory:
# a primary (initdb) and a hot standby made from it with `pg_basebackup -R`, each started with
# pg_ctl as the postgres user on its own port. Leaves the machine's own server alone.
#
#   tooling/replicas/pg-replication.sh start <dir> <primary-port> <replica-port>
#       prints "primary=postgres://... replica=postgres://..." once the standby streams
#   tooling/replicas/pg-replication.sh stop-replica <dir>   (the standby only: a replica that goes away)
#   tooling/replicas/pg-replication.sh stop <dir>
set -euo pipefail

cmd=${1:?start or stop}
dir=${2:?a directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin" >&2; exit 3; }

# As the postgres user when run as root (initdb refuses root), else as ourselves.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  for node in replica primary; do
    [ -f "$dir/$node/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir/$node" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
if [ "$cmd" = stop-replica ]; then as_pg "$bin/pg_ctl" -D "$dir/replica" -m immediate -w stop >/dev/null; exit 0; fi
[ "$cmd" = start ] || { echo "usage: $0 start <dir> <primary-port> <replica-port> | stop <dir>" >&2; exit 2; }
pport=${3:?primary port}
rport=${4:?replica port}

stop
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
sock="$dir"

as_pg "$bin/initdb" -D "$dir/primary" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
cat >>"$dir/primary/postgresql.conf" <<EOF
port = $pport
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
wal_level = replica
max_wal_senders = 5
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
EOF
echo "host replication all 127.0.0.1/32 trust" >>"$dir/primary/pg_hba.conf"
as_pg "$bin/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -t 60 start >/dev/null
as_pg "$bin/createdb" -h 127.0.0.1 -p "$pport" -U postgres test

as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$pport" -U postgres -D "$dir/replica" -R -X stream --no-sync
sed -i "s/^port = $pport/port = $rport/" "$dir/replica/postgresql.conf"
echo "hot_standby_feedback = on" >>"$dir/replica/postgresql.conf"
as_pg "$bin/pg_ctl" -D "$dir/replica" -l "$dir/replica.log" -w -t 60 start >/dev/null

# Wait until the primary sees the standby streaming.
for _ in $(seq 1 100); do
  state=$(as_pg "$bin/psql" -h 127.0.0.1 -p "$pport" -U postgres -d test -tAc "select state from pg_stat_replication" 2>/dev/null || true)
  [ "$state" = streaming ] && break
  sleep 0.1
done
[ "$state" = streaming ] || { echo "the standby did not start streaming; logs in $dir" >&2; exit 1; }
echo "primary=postgres://postgres@127.0.0.1:$pport/test replica=postgres://postgres@127.0.0.1:$rport/test"
