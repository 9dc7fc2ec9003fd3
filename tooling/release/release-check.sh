#!/usr/bin/env bash
# Release dry run: on a throwaway worktree of HEAD, `changeset version` applies the pending
# changesets (per-package versions, CHANGELOG.md files, internal peer ranges), then every
# publishable package is built and `pnpm publish -r --dry-run` packs it as npm would publish it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pnpm=(npx -y pnpm@10.34.9)
tmp="$(mktemp -d)"
cleanup() { git -C "$root" worktree remove --force "$tmp/repo" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
git -C "$root" worktree add --detach -q "$tmp/repo" HEAD
cd "$tmp/repo"
"${pnpm[@]}" install --frozen-lockfile --prefer-offline >/dev/null
before="$(for f in packages/*/package.json; do node -p "const p=require('./$f'); p.name+' '+p.version"; done)"
"${pnpm[@]}" changeset version
# a package may reach a new major only when a changeset asked for one (changesets turns a peer
# dependency bumped out of range into a major of every dependent: the core peer range must not do that)
echo "$before" | while read -r name version; do
  after="$(node -p "require('./packages/${name#@dotorm/}/package.json').version")"
  if [ "${version%%.*}" != "${after%%.*}" ] && ! git grep -q "\"$name\": major" HEAD -- .changeset; then
    echo "$name went from $version to $after: a major no changeset asked for"; exit 1
  fi
  echo "$name $version -> $after"
done
git --no-pager diff --stat
for pkg in packages/*/; do
  if [ -f "$pkg/package.json" ] && ! grep -q '"private": true' "$pkg/package.json"; then
    test -f "$pkg/CHANGELOG.md" || { echo "changeset version wrote no CHANGELOG.md in $pkg"; exit 1; }
  fi
done
"${pnpm[@]}" install --no-frozen-lockfile --prefer-offline >/dev/null
"${pnpm[@]}" build >/dev/null
"${pnpm[@]}" publish -r --dry-run --no-git-checks
echo "release dry run: ok"
