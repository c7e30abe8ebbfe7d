#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/browser). Playwright drives it through
# executable_path; it never downloads a browser of its own. Idempotent: does nothing when present.
set -euo pipefail

CHROMIUM="${SUITEGRAPH_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# fonts-dejavu-core: readable text in screenshots on a minimal image.
$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null

if [ ! -x "$CHROMIUM" ]; then
  echo "install-browser: chromium was installed but $CHROMIUM is missing" >&2
  exit 1
fi
echo "install-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed"
