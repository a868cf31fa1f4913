#!/usr/bin/env bash
# Installs what is needed, builds everything (tests and benchmarks) and runs the whole test suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
echo "setup and build: ${SECONDS} s"
cd "$root/build"
ctest --output-on-failure -j "$(nproc)" --timeout 600
