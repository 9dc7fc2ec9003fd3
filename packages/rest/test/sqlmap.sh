#!/usr/bin/env bash
# Attacks the REST API with sqlmap (Debian's package) and fails unless it finds nothing.
#
#   bash packages/rest/test/sqlmap.sh [pglite|postgres|mariadb|canary]     (default pglite)
#
# Starts the demo server (apps/demo/src/serve.ts: crud() over the quick example's models, seeded)
# on 127.0.0.1 at a free port, on embedded PGlite or on a fresh database of the PostgreSQL / MariaDB
# server the tests use (DOTORM_PG_URL, DOTORM_MYSQL_URL), then runs sqlmap at level 3 / risk 2 in
# batch mode, each run bounded in time, against:
#   list    GET  /auto/chats?fields&filter&nested&order&sort&limit&offset   every parameter, and inside the JSON ones
#   filter  GET  /auto/chats?filter=...   every field name, operator and value position of a filter
#   search  POST /auto/chats/search       every value of the JSON body
#   get     GET  /auto/chats/<id>?fields&nested   the id in the path and both parameters
# It fails (exit 1) when sqlmap reports an injectable parameter or a DBMS error, when the server
# answered a 5xx, when a run did not test every injection point it was given, or when the data
# changed; exit 77 when sqlmap is missing and cannot be installed. The last line is the summary.
# `canary` runs the same sqlmap options against sqlmap-canary.mjs, a server that pastes a parameter
# into its SQL, and fails unless sqlmap finds that injection: proof that the checks can fail.
set -euo pipefail

engine="${1:-pglite}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
demo="$root/apps/demo"
per_run="${SQLMAP_RUN_SECONDS:-240}"

if ! command -v sqlmap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q sqlmap >/dev/null
  else
    echo "sqlmap is not installed (Debian: apt-get install sqlmap); nothing was tested"
    exit 77
  fi
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/dotorm-sqlmap.XXXXXX")"
db_name="dotorm_sqlmap_$$_$RANDOM"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "$engine" = postgres ] || [ "$engine" = mariadb ]; then (cd "$here" && node sqlmap-db.mjs drop "$engine" "$db_name") || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

case "$engine" in
  pglite) database_url="" dbms=PostgreSQL ;;
  postgres) database_url="$(cd "$here" && node sqlmap-db.mjs create "$engine" "$db_name")" dbms=PostgreSQL ;;
  mariadb) database_url="$(cd "$here" && node sqlmap-db.mjs create "$engine" "$db_name")" dbms=MySQL ;;
  canary) database_url="" dbms=PostgreSQL ;;
  *) echo "unknown engine \"$engine\": pglite, postgres, mariadb or canary"; exit 2 ;;
esac

if [ "$engine" = canary ]; then
  (cd "$here" && exec node sqlmap-canary.mjs) >"$work/server.log" 2>&1 &
else
  (cd "$demo" && PORT=0 DATABASE_URL="$database_url" exec node --import tsx src/serve.ts) >"$work/server.log" 2>&1 &
fi
server_pid=$!
base=""
for _ in $(seq 1 480); do  # up to 4 minutes: PGlite starts slowly on a loaded machine
  base="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/server.log" | head -n1 || true)"
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$base" ]; then
  echo "the demo server did not start; its output:"; cat "$work/server.log"; exit 2
fi

# Every record the API serves, as one string: compared before and after the attack.
snapshot() {
  node -e '
    const base = process.argv[1];
    const out = [];
    for (const t of ["users", "chats", "chat_messages"]) {
      const r = await fetch(`${base}/auto/${t}?order=id&limit=1000`);
      if (r.status !== 200) throw new Error(`GET /auto/${t}: ${r.status}`);
      out.push(await r.text());
    }
    console.log(out.join("\n"));
  ' "$base"
}
[ "$engine" = canary ] || before="$(snapshot)"

enc() { node -e 'process.stdout.write(encodeURIComponent(process.argv[1]).replace(/%2A/g, "*"))' "$1"; }

# attack NAME sqlmap-arguments...: one bounded sqlmap run, its output in $work/NAME.log. The DBMS is
# named (an attacker learns it from the first error page), so every payload sqlmap has for it is sent.
attack() {
  local name="$1"
  shift
  TERM=dumb timeout "$per_run" sqlmap --batch --level=3 --risk=2 --dbms="$dbms" --flush-session --disable-coloring --skip-waf \
    --timeout=10 --retries=1 --answers="inject inside=Y,process it=Y" --output-dir="$work/out-$name" "$@" >"$work/$name.log" 2>&1 || true
}

failures=0
total_points=0
# run NAME EXPECTED_POINTS sqlmap-arguments...: one attack and the checks of its output.
run() {
  local name="$1" expected="$2"
  shift 2
  local log="$work/$name.log" started=$SECONDS
  attack "$name" "$@"
  local tested found heuristic errors
  tested="$(grep -c 'does not seem to be injectable' "$log" || true)"
  found="$(grep -E "appears to be .* injectable|is vulnerable|identified the following injection point" "$log" || true)"
  heuristic="$(grep -E "might be injectable" "$log" || true)"
  errors="$(sed -n '/HTTP error codes detected/,/^\[/p' "$log" | grep -E '^5[0-9][0-9] ' || true)"
  local verdict="ok"
  if [ -n "$found" ]; then verdict="INJECTABLE: $found"
  elif [ -n "$heuristic" ]; then verdict="DBMS ERROR SHOWN: $heuristic"
  elif [ -n "$errors" ]; then verdict="SERVER ERRORS: $errors"
  elif ! grep -q 'all tested parameters do not appear to be injectable' "$log"; then verdict="DID NOT FINISH (see below)"
  elif [ "$tested" -ne "$expected" ]; then verdict="TESTED $tested OF $expected INJECTION POINTS"
  fi
  total_points=$((total_points + tested))
  printf '%-7s %2d point(s) tested in %3ds: %s\n' "$name" "$tested" $((SECONDS - started)) "$verdict"
  if [ "$verdict" != ok ]; then
    failures=$((failures + 1))
    grep -v "\[INFO\] testing '" "$log" | tail -n 40
  fi
}

chats="$base/auto/chats"
if [ "$engine" = canary ]; then
  log="$work/canary.log"
  attack canary -u "$chats?name=General" -p name
  if grep -qE "identified the following injection point" "$log"; then
    echo "sqlmap on canary: the injectable parameter was found: $(grep -m1 -oE "parameter 'name' appears to be '[^']*' injectable" "$log")"
    exit 0
  fi
  echo "sqlmap on canary: the injectable parameter was NOT found"; grep -v "\[INFO\] testing '" "$log" | tail -n 40
  exit 1
fi
list_filter="$(enc '[["name","ilike","gen"],"or",["creator_id.name","=","Ann"]]')"
nested="$(enc '{"creator_id":["name"],"messages":["body"]}')"
run list 7 -u "$chats?fields=name,is_archived&filter=$list_filter&nested=$nested&order=id&sort=desc&limit=20&offset=0" \
  -p "fields,filter,nested,order,sort,limit,offset"

marked_filter="$(enc '[["name*","ilike*","gen*"],"or",["creator_id.name*","=","Ann*"],["id","in",[1*,2]],["is_archived","=",false*]]')"
run filter 7 -u "$chats?fields=name&filter=$marked_filter"

run search 10 -u "$chats/search" -H "Content-Type: application/json" \
  --data '{"filter":[["name*","ilike","gen*"],"or",["creator_id.name","=*","Ann*"]],"fields":["name*","is_archived"],"nested":{"creator_id":["name*"]},"order":"id*","sort":"desc*","limit":20*,"offset":0*}'

get_nested="$(enc '{"creator_id":["name*"],"messages":["body"]}')"
run get 3 -u "$chats/1*?fields=name*,is_archived&nested=$get_nested"

after="$(snapshot)"
if [ "$before" != "$after" ]; then
  echo "the data changed during the attack"; failures=$((failures + 1))
fi
if grep -q '\[dotorm/rest\] request' "$work/server.log"; then
  echo "the server logged faults:"; grep -A3 '\[dotorm/rest\] request' "$work/server.log" | head -n 40; failures=$((failures + 1))
fi

if [ "$failures" -eq 0 ]; then
  echo "sqlmap on $engine: $total_points injection points tested (level 3, risk 2), none injectable, no 5xx, data unchanged"
else
  echo "sqlmap on $engine: $failures check(s) failed"
  exit 1
fi
