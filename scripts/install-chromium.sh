#!/usr/bin/env bash
# Installs Debian's chromium package when no Chromium is present, for the summary.html
# rendering tests (test/diagnose/summary.test.ts). Those tests skip, with a visible
# message, where Chromium cannot start; this script lets CI run them instead.
set -euo pipefail

for bin in "${CHROMIUM_BIN:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$bin" ] && [ -x "$bin" ]; then
    echo "chromium present: $bin"
    exit 0
  fi
done

# `npm test` runs this before the suite: install only in CI (or when asked), never by surprise
# on a developer's machine.
if [ "${CI:-}" != "true" ] && [ "${FLAREWATCH_INSTALL_TEST_TOOLS:-}" != "1" ]; then
  echo "install-chromium: no Chromium; the summary rendering tests will be skipped (CI=true or FLAREWATCH_INSTALL_TEST_TOOLS=1 installs it)" >&2
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get here; the summary rendering tests will be skipped" >&2
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-chromium: not root and no sudo; the summary rendering tests will be skipped" >&2
    exit 0
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "chromium installed: $(command -v chromium)"
