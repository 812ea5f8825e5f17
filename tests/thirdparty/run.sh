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
"$here/../support/npm_install.sh" thirdparty "$here" "$work" verify.mjs
install=$work/npm

"$tool" sign | node "$install/verify.mjs" | "$tool" verify
