#!/usr/bin/env bash
# Installs what is needed, builds cobuy and runs `cobuy demo` (extra arguments go to the demo).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" --target cobuy
exec "$root/build/cobuy" demo "$@"
