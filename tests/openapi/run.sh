#!/usr/bin/env bash
# Checks the OpenAPI document (daemon/openapi/openapi.json) with third-party validators (check.mjs),
# and, given the integration test binary, real rollcalld answers against its response schemas.
# Usage: run.sh DOCUMENT VERSION WORKDIR [INTEGRATION_TESTS]
# The pinned packages (package-lock.json) are installed into WORKDIR with their cache in
# WORKDIR/npm-cache, so the npm registry is needed only on the first run.
set -euo pipefail
doc=$1
version=$2
work=$3
tests=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
"$here/../support/npm_install.sh" openapi "$here" "$work" check.mjs
install=$work/npm

if [ -z "$tests" ]; then
  exec node "$install/check.mjs" "$doc" "$version"
fi
samples=$work/samples.json
rm -f "$samples"
ROLLCALL_OPENAPI_SAMPLES=$samples "$tests" \
  --gtest_filter='openapi_test.representative_answers_are_recorded_for_the_schema_check'
[ -s "$samples" ] || { echo "openapi: the integration test wrote no samples to $samples" >&2; exit 1; }
node "$install/check.mjs" "$doc" "$version" "$samples"
