#!/usr/bin/env bash
# Shows that every library is ready to publish: `pnpm publish --dry-run` packs each one as npm would upload it
# (files, entry points, the built dist) without uploading anything. Needs `pnpm build` first.
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in packages/*/; do
  name=$(node -p "require('./${dir}package.json').name")
  if [ "$(node -p "Boolean(require('./${dir}package.json').private)")" = "true" ]; then continue; fi
  for entry in $(node -p "const p=require('./${dir}package.json'); [p.main, p.module, p.types].filter(Boolean).join(' ')"); do
    [ -f "${dir}${entry}" ] || { echo "check-publish: ${name}: ${entry} is missing (run pnpm build)" >&2; exit 1; }
  done
  echo "== ${name}"
  (cd "$dir" && pnpm publish --dry-run --no-git-checks 2>&1 | grep -E "^npm notice (name|version|package size|unpacked size|total files)|Tarball Details" || true)
done
echo "check-publish: every package packs for publishing"
