#!/usr/bin/env bash
# The browser tests: the @aa packages in Debian's Chromium on tfjs's webgl (SwiftShader) and cpu backends
# (tests/browser), then the playground page (apps/playground). One Chromium at a time, no browser download:
# Debian's chromium is installed when missing (as root, or with sudo), or CHROMIUM_PATH names another.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "== build the packages the pages bundle"
pnpm exec turbo run build --filter=@aa/browser-tests... --filter=@aa/playground... --output-logs=errors-only

echo "== the packages in Chromium (webgl, cpu)"
pnpm --filter @aa/browser-tests test:browser

echo "== the playground in Chromium (webgl)"
pnpm --filter @aa/playground test:browser
