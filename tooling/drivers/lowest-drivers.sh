#!/usr/bin/env bash
# The adapters take their drivers as peer dependencies with a range; the workspace tests the newest
# (the catalog's versions). This runs the conformance suites again with the LOWEST version of each
# range, on a throwaway worktree of HEAD where pnpm overrides pin the drivers down.
set -euo pipefail
# a suite whose engine does not come up fails instead of being skipped
export CI=true
root="$(cd "$(dirname "$0")/../.." && pwd)"
pnpm=(npx -y pnpm@10.34.9)
# The lowest version of each adapter's peer range (keep in step with the adapters' package.json).
pg_low="8.11.4"
mysql2_low="3.10.0"
clickhouse_low="1.23.0"
for want in "postgres pg ^${pg_low}" "mysql mysql2 ^${mysql2_low}" "clickhouse @clickhouse/client ^${clickhouse_low}"; do
  set -- $want
  grep -q "\"$2\": \"$3\"" "$root/packages/$1/package.json" || { echo "packages/$1 no longer declares $2 $3: update $0"; exit 1; }
done
tmp="$(mktemp -d)"
cleanup() { git -C "$root" worktree remove --force "$tmp/repo" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
git -C "$root" worktree add --detach -q "$tmp/repo" HEAD
cd "$tmp/repo"
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  pkg.pnpm = { ...pkg.pnpm, overrides: { pg: process.argv[1], mysql2: process.argv[2], "@clickhouse/client": process.argv[3] } };
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2));
' "$pg_low" "$mysql2_low" "$clickhouse_low"
"${pnpm[@]}" install --no-frozen-lockfile --prefer-offline >/dev/null
for check in "postgres pg ${pg_low}" "mysql mysql2 ${mysql2_low}" "clickhouse @clickhouse/client ${clickhouse_low}"; do
  set -- $check
  got="$(cd "packages/$1" && node -p "require('$2/package.json').version")"
  [ "$got" = "$3" ] || { echo "packages/$1 resolved $2 $got, expected $3"; exit 1; }
  echo "packages/$1: $2 $got"
done
"${pnpm[@]}" build >/dev/null
(cd packages/postgres && npx vitest run test/conformance-server.test.ts test/connection.test.ts)
(cd packages/mysql && npx vitest run test/conformance.test.ts test/connection.test.ts)
(cd packages/clickhouse && npx vitest run test/conformance-chdb.test.ts test/connection.test.ts)
echo "lowest drivers (pg ${pg_low}, mysql2 ${mysql2_low}, @clickhouse/client ${clickhouse_low}): conformance passed"
