#!/usr/bin/env bash
# The web page end to end: installs the pinned npm packages (playwright-core, axe-core) into
# WORKDIR, then runs the gtest binary that starts rollcalld and PostgreSQL, seeds a clinic and
# runs driver.mjs in Debian's headless Chromium against it.
# Usage: run.sh WORKDIR E2E_TESTS SCREENSHOT_DIR   (ROLLCALL_SCREENSHOTS overrides the last)
# The packages' cache is WORKDIR/npm-cache, so the npm registry is needed only on the first run.
set -euo pipefail
work=$1
tests=$2
shots=${ROLLCALL_SCREENSHOTS:-$3}
here=$(cd "$(dirname "$0")" && pwd)
"$here/../support/npm_install.sh" e2e "$here" "$work" driver.mjs
install=$work/npm
chromium=${ROLLCALL_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "e2e: $chromium is missing: run scripts/deps (Debian package chromium)" >&2; exit 1; }

mkdir -p "$shots"
echo "e2e: screenshots go to $shots"
ROLLCALL_E2E_DRIVER=$install/driver.mjs ROLLCALL_SCREENSHOTS=$shots ROLLCALL_CHROMIUM=$chromium exec "$tests"
