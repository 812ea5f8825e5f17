#!/usr/bin/env bash
# Fails when a C++ file differs from .clang-format's style (`clang-format -i FILE` fixes it), or
# includes toml++ other than through rollcall/config/toml.hpp.
set -euo pipefail
cd "$1"
command -v clang-format >/dev/null || { echo "clang-format is missing: run scripts/deps" >&2; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
else
  mapfile -t files < <(find daemon tests -name '*.cpp' -o -name '*.hpp')
fi
clang-format --dry-run -Werror "${files[@]}"
echo "format: ${#files[@]} files follow .clang-format"
# toml++ only through rollcall/config/toml.hpp, which patches it (mixing it with the unpatched
# header, or with Debian's shared library, would break the one definition rule).
if grep -n '#include <toml++/' "${files[@]}" | grep -v '^daemon/src/rollcall/config/toml.hpp:'; then
  echo "format: include rollcall/config/toml.hpp instead of toml++'s headers" >&2
  exit 1
fi
