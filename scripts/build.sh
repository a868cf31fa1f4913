#!/usr/bin/env bash
# Configures and builds cobuy into build/ (extra arguments go to `cmake --build`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCOBUY_WERROR="${COBUY_WERROR:-OFF}" >/dev/null
cmake --build "$root/build" -j "$(nproc)" "$@"
