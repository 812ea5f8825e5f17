#!/usr/bin/env bash
# Installs a test's pinned npm packages (package.json + package-lock.json in SOURCE_DIR) into
# WORKDIR/npm with their cache in WORKDIR/npm-cache, so the npm registry is needed only on the
# first run, and copies the test's SCRIPTs beside node_modules so that their imports resolve.
# Usage: npm_install.sh NAME SOURCE_DIR WORKDIR SCRIPT...   (prints nothing on success)
set -euo pipefail
name=$1
here=$2
work=$3
shift 3
for cmd in node npm; do
  command -v "$cmd" >/dev/null || { echo "$name: $cmd is missing: run scripts/deps" >&2; exit 1; }
done
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
for script in "$@"; do cp "$here/$script" "$install/$script"; done
