#!/usr/bin/env bash
# Fresh-machine entry point: makes sure the pinned pnpm is there (from package.json's packageManager),
# installs the workspace from the lockfile, then runs `pnpm <args>`.
#   bash scripts/dev.sh bench    # set up + run the main job (aa-bench, every experiment)
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

# oneDNN lets @aa/backend-onednn build its native addon at install (the bench then trains ~1000x faster
# than on tfjs's pure-JS cpu backend). Installed here when missing on Debian/Ubuntu as root; elsewhere
# the install still succeeds and the bench says how to get it. AA_NO_APT=1 skips this.
if [ -z "${AA_NO_APT:-}" ] && command -v apt-get >/dev/null 2>&1 && ! dpkg -s libdnnl-dev >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "[setup] installing oneDNN (libdnnl-dev) for @aa/backend-onednn" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libdnnl-dev >/dev/null; } >&2 ||
      echo "[setup] could not install libdnnl-dev; continuing without the onednn backend" >&2
  else
    echo "[setup] oneDNN is missing: 'sudo apt-get install libdnnl-dev' then rerun for the fast onednn backend" >&2
  fi
fi

export TURBO_TELEMETRY_DISABLED=1
# A node_modules installed from another store (another HOME, or CI) is rebuilt rather than kept: without a
# terminal pnpm would otherwise stop to ask before removing it.
pnpm install --frozen-lockfile --config.confirm-modules-purge=false >&2
if [ "$#" -gt 0 ]; then exec pnpm "$@"; fi
