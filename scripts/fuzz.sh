#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, AddressSanitizer + UndefinedBehaviorSanitizer)
# into build-fuzz/ and runs each for FUZZ_SECONDS (default 30) on a copy of its seed corpus in
# tests/fuzz_corpus/<target>/ (the committed corpus never grows). Exits non-zero on any crash,
# sanitizer report, leak, timeout or out-of-memory, printing the reproducer and how to replay it.
# FUZZ_TARGETS="fuzz_csv ..." runs a subset; extra arguments go to every libFuzzer run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
seconds="${FUZZ_SECONDS:-30}"
targets=(${FUZZ_TARGETS:-fuzz_csv fuzz_query fuzz_request fuzz_http_head})

"$root/scripts/setup.sh"
# clang and libFuzzer (libclang_rt.fuzzer, with the sanitizer runtimes) from Debian.
missing=()
for p in clang-14 libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "cobuy fuzz: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DCOBUY_MPI=OFF \
  -DCOBUY_FUZZ=ON -DCOBUY_BUILD_TESTS=OFF -DCOBUY_BUILD_BENCH=OFF -DCOBUY_WERROR="${COBUY_WERROR:-OFF}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

work="$(mktemp -d "${TMPDIR:-/tmp}/cobuy-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export TMPDIR="$work"  # fuzz_csv's scratch files go there too
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:allocator_may_return_null=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

failed=()
for t in "${targets[@]}"; do
  corpus="$work/$t/corpus"
  artifacts="$work/$t/artifacts"
  mkdir -p "$corpus" "$artifacts"
  cp "$root/tests/fuzz_corpus/$t/"* "$corpus/"
  echo "== $t: ${seconds}s on $(ls "$corpus" | wc -l) seeds"
  # -timeout: one input over 30 s is a hang (generous: a busy machine can stall file I/O for
  # seconds); -rss_limit_mb/-malloc_limit_mb: over 2 GB is a bug.
  if "$build/fuzz/$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
      -max_len=16384 -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$corpus" >"$work/$t/log" 2>&1; then
    grep -E "^(stat::number_of_executed_units|stat::new_units_added|Done )" "$work/$t/log" || true
  else
    failed+=("$t")
    tail -n 80 "$work/$t/log"
    for a in "$artifacts"/*; do
      [ -e "$a" ] || continue
      keep="$root/build-fuzz/reproducers/$t-$(basename "$a")"
      mkdir -p "$(dirname "$keep")"
      cp "$a" "$keep"
      echo "-- reproducer $keep ($(wc -c <"$a") bytes), base64:"
      base64 "$a" | head -c 4000
      echo
      echo "-- replay: $build/fuzz/$t $keep"
    done
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each with no crash"
