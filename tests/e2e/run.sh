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
for cmd in node npm; do
  command -v "$cmd" >/dev/null || { echo "e2e: $cmd is missing: run scripts/deps" >&2; exit 1; }
done
chromium=${ROLLCALL_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "e2e: $chromium is missing: run scripts/deps (Debian package chromium)" >&2; exit 1; }

install=$work/npm
mkdir -p "$install"
# npm ci empties node_modules first; reinstall only when the lock file changed.
if ! cmp -s "$here/package-lock.json" "$install/installed.lock"; then
  rm -f "$install/installed.lock"
  cp "$here/package.json" "$here/package-lock.json" "$install/"
  (cd "$install" && npm_config_update_notifier=false npm ci --no-audit --no-fund --ignore-scripts \
     --prefer-offline --cache "$work/npm-cache" --loglevel=error >/dev/null)
  cp "$here/package-lock.json" "$install/installed.lock"
fi
# Beside its node_modules, so that the imports resolve there.
cp "$here/driver.mjs" "$install/driver.mjs"

mkdir -p "$shots"
echo "e2e: screenshots go to $shots"
ROLLCALL_E2E_DRIVER=$install/driver.mjs ROLLCALL_SCREENSHOTS=$shots ROLLCALL_CHROMIUM=$chromium exec "$tests"
