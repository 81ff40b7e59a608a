#!/usr/bin/env bash
# Builds the stub of WeCom's chat-archive SDK (stub.c) into tools/finance-sdk-stub/build/libWeWorkFinanceSdk_C.so
# with the system C compiler, when the library is missing or older than its sources. Prints the library's path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/build/libWeWorkFinanceSdk_C.so"
if [[ ! -f "$out" || "$here/stub.c" -nt "$out" || "$here/WeWorkFinanceSdk_C.h" -nt "$out" ]]; then
  cc="${CC:-gcc}"
  if ! command -v "$cc" >/dev/null 2>&1; then
    echo "finance-sdk-stub: $cc is missing; install it with: apt-get install -y gcc" >&2
    exit 1
  fi
  mkdir -p "$here/build"
  # Only the 17 functions of WeWorkFinanceSdk_C.h are exported (API in stub.c); everything else is hidden.
  "$cc" -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -pthread \
    -o "$out.$$.tmp" "$here/stub.c"
  mv "$out.$$.tmp" "$out"
fi
echo "$out"
