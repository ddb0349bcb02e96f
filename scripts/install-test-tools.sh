#!/usr/bin/env bash
# Installs the Debian tools some tests use as independent judges, when they are missing:
#   chromium — renders summary.html (test/diagnose/summary.test.ts);
#   unzip    — Info-ZIP checks every bundle zip's CRCs (test/bundle/zip.test.ts).
# Those tests skip, with a visible message, where the tool is absent; this script lets CI
# run them instead. `npm test` runs it first (pretest).
set -euo pipefail

missing=()
chromium=""
for bin in "${CHROMIUM_BIN:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$bin" ] && [ -x "$bin" ]; then chromium="$bin"; break; fi
done
if [ -n "$chromium" ]; then echo "chromium present: $chromium"; else missing+=(chromium); fi
if command -v unzip >/dev/null 2>&1; then echo "unzip present: $(command -v unzip)"; else missing+=(unzip); fi
[ "${#missing[@]}" -eq 0 ] && exit 0

skip() {
  echo "install-test-tools: $1; the tests that need ${missing[*]} will be skipped" >&2
  exit 0
}

# Install only in CI (or when asked), never by surprise on a developer's machine.
if [ "${CI:-}" != "true" ] && [ "${FLAREWATCH_INSTALL_TEST_TOOLS:-}" != "1" ]; then
  skip "missing ${missing[*]} (CI=true or FLAREWATCH_INSTALL_TEST_TOOLS=1 installs them)"
fi
command -v apt-get >/dev/null 2>&1 || skip "no apt-get here"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || skip "not root and no sudo"
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
