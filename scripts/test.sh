#!/usr/bin/env bash
# Installs what is needed, builds cobuy and every test executable (not the benchmarks: `scripts/build.sh`
# builds those too) and runs the whole test suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" --target cobuy_tests
echo "setup and build: ${SECONDS} s"
cd "$root/build"
ctest --output-on-failure -j "$(nproc)" --timeout 600
