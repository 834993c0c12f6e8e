#!/usr/bin/env bash
# Fresh-machine entry point: makes sure the pinned pnpm is there (from package.json's packageManager),
# installs the workspace from the lockfile, then runs `pnpm <args>`.
#   bash scripts/dev.sh demo     # set up + run the main job
#   bash scripts/dev.sh test     # set up + run every package's tests
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(node -p "require('./package.json').packageManager.replace(/^pnpm@/, '')")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
  echo "[setup] installing pnpm $want with npm" >&2
  # Corepack would also do, but its signature check fails against some registry mirrors; npm works wherever npm does.
  if ! npm install --global --no-audit --no-fund "pnpm@$want" >&2; then
    echo "[setup] no write access to npm's global prefix; installing pnpm under \$HOME/.local instead" >&2
    npm install --global --prefix "$HOME/.local" --no-audit --no-fund "pnpm@$want" >&2
    export PATH="$HOME/.local/bin:$PATH"
  fi
  hash -r
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile >&2
if [ "$#" -gt 0 ]; then exec pnpm "$@"; fi
