#!/usr/bin/env bash
# Cross-checks rollcall's signatures with the Standard Webhooks and Twilio reference libraries:
#   signature_vectors sign | node verify.mjs | signature_vectors verify
# Usage: run.sh SIGNATURE_VECTORS WORKDIR (ctest passes a directory in the build tree).
# The pinned packages (package-lock.json) are installed into WORKDIR with their cache in
# WORKDIR/npm-cache, so the npm registry is needed only on the first run.
set -euo pipefail
tool=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
for cmd in node npm; do
  command -v "$cmd" >/dev/null || { echo "thirdparty: $cmd is missing: run scripts/deps" >&2; exit 1; }
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
# Beside its node_modules, so that the imports resolve there.
cp "$here/verify.mjs" "$install/verify.mjs"

"$tool" sign | node "$install/verify.mjs" | "$tool" verify
