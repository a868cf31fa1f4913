#!/usr/bin/env bash
# Installs the Debian packages that cobuy's build, tests and benchmarks need; skips what is there.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libfaiss-dev libopenblas0-pthread    # Faiss; OpenBLAS makes its batch search ~10x faster
  libeigen3-dev libtbb-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
  libsqlite3-dev libpq-dev             # the order log (--orders-db): a SQLite file or PostgreSQL
  postgresql                           # tests/api/order_store_test.cpp: the PostgreSQL log, on loopback
  libcpp-httplib-dev libssl-dev libbrotli-dev   # httplib's pkg-config names OpenSSL and Brotli
  libgtest-dev libgmock-dev libbenchmark-dev
  curl wrk
  haproxy                              # tests/api/behind_haproxy_test.cpp: the proxied deployment
  libopenmpi-dev openmpi-bin openssh-client   # cobuy train --distributed (mpirun wants an rsh agent)
  chromium                             # tests/api/dashboard_test.cpp: the dashboard in a headless browser
)
# Node.js drives that browser (tests/browser/, puppeteer-core); a machine that has a node already
# (Debian's or another build) keeps it.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "cobuy setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The browser test's npm packages (puppeteer-core, pinned by tests/browser/package-lock.json). It
# downloads no browser: it drives the chromium above. Without the npm registry the browser test
# skips, unless COBUY_REQUIRE_BROWSER=1 (CI), where this fails.
browser_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/browser"
if [ ! -d "$browser_dir/node_modules/puppeteer-core" ]; then
  echo "cobuy setup: npm ci in tests/browser" >&2
  if ! (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error >&2); then
    if [ "${COBUY_REQUIRE_BROWSER:-0}" = "1" ]; then exit 1; fi
    echo "cobuy setup: npm ci failed; the browser test will be skipped" >&2
  fi
fi
