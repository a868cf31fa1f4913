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
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "cobuy setup: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
