#!/usr/bin/env bash
# Load test of `cobuy serve` on loopback, bounded in time (about LOAD_SECONDS x 1.5 + 20 s).
#   bench/load_test.sh [BUILD_DIR]          # BUILD_DIR defaults to build/ (needs BUILD_DIR/cobuy)
# 1. Trains two models on the bundled Online Retail data (the default config, and one without
#    EASE, so that the two differ) and starts `cobuy serve --orders-db` on 127.0.0.1.
# 2. wrk -t2 -c64 for LOAD_SECONDS (default 60) on a mix of bought-together, recommendations (with
#    and without a customer) and offers ("preview": true), with real item and customer ids of
#    the data (bench/load/mix.lua). Meanwhile POST /v1/admin/reload every second, alternating
#    between the two models, and the server's RSS sampled every second from /proc/PID/status.
# 3. The same wrk on GET /v1/constant for CONSTANT_SECONDS (default LOAD_SECONDS / 2): the HTTP
#    round-trip reference for the throughput ratio.
# Fails (non-zero exit) on any answer other than 200, any socket error or timeout, any reload not
# answered 200, or memory that is not flat. Flat memory: of the RSS samples taken during the mix,
# the first 20% are warm-up; of the rest, the median of the last third must not exceed the median
# of the first third by more than max(10%, 16 MiB). Medians, not maxima: a sample taken while a
# reload holds two models at once is a peak, not growth. A leak of 100 bytes a request (66 MiB
# over the run) or of a model per reload (about 300 MiB) fails it by far.
# COBUY_KEY, when set, is sent as a bearer token on every request (keyless works on loopback).
# Installs wrk with apt-get when it is missing. Prints a summary; the log of each step stays in
# the work directory when something fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-build}"
[ -d "$build" ] || build="$root/$build"
cobuy="$(cd "$build" && pwd)/cobuy"
[ -x "$cobuy" ] || { echo "load_test: $cobuy not found; build first (scripts/build.sh)" >&2; exit 2; }
load_seconds="${LOAD_SECONDS:-60}"
threads="${LOAD_THREADS:-0}"
constant_seconds="${CONSTANT_SECONDS:-$(( load_seconds / 2 > 5 ? load_seconds / 2 : 5 ))}"
data="$root/datasets/online_retail.csv.gz"
mix_lua="$root/bench/load/mix.lua"
started=$SECONDS

if ! command -v wrk >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "load_test: installing wrk" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >&2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/cobuy-load.XXXXXX")"
server=""
helpers=()
failed=1
cleanup() {
  for pid in "${helpers[@]}" $server; do kill "$pid" 2>/dev/null || true; done
  for pid in "${helpers[@]}" $server; do wait "$pid" 2>/dev/null || true; done
  if [ "$failed" -eq 0 ]; then rm -rf "$work"; else echo "load_test: logs kept in $work" >&2; fi
}
trap cleanup EXIT

auth=()
if [ -n "${COBUY_KEY:-}" ]; then auth=(-H "Authorization: Bearer $COBUY_KEY"); fi
http() { curl -s --max-time 10 "${auth[@]}" "$@"; }

# --- two models ----------------------------------------------------------------------------
# Fast configs (no EASE: a second each instead of several; serving reads precomputed lists either
# way), different enough that every reload swaps in other lists.
echo '{"blend": {"ease": 0}}' > "$work/config-a.json"
echo '{"blend": {"ease": 0}, "cooccurrence": {"score": "cosine", "top_k": 50}}' > "$work/config-b.json"
t0=$SECONDS
for m in a b; do
  "$cobuy" --log-level warn train --orders "$data" --format online-retail --config "$work/config-$m.json" \
    --out "$work/model-$m" > "$work/train-$m.log"
done
train_seconds=$((SECONDS - t0))

# --- real ids: the 300 most ordered product codes; every 20th customer by number of lines (about
# 220, from the heaviest to one-order customers: offers cost more for long histories)
# (awk rather than head ends the pipes: head would close early, and pipefail fail on the SIGPIPE)
zcat "$data" | awk -F, 'NR > 1 && $2 ~ /^[0-9][0-9][0-9][0-9][0-9][A-Z]?$/ && $1 !~ /^C/ { n[$2]++ }
  END { for (k in n) print n[k], k }' | sort -rn | awk 'NR <= 300 { print $2 }' > "$work/items.txt"
zcat "$data" | awk -F, 'NR > 1 && $(NF - 1) ~ /^[0-9]+$/ { n[$(NF - 1)]++ }
  END { for (k in n) print n[k], k }' | sort -rn -k1,1 -k2,2 | awk 'NR % 20 == 1 { print $2 }' > "$work/customers.txt"

# --- the server --------------------------------------------------------------------------------
# Workers: LOAD_THREADS (default 0, the server's own default: max(8, 4 x cores)). Idle keep-alive
# connections wait in the server's connection loop, not on a worker, so 64 connections need no
# more workers than the cores can keep busy.
# Memory: each reload loads a model on whichever worker thread takes the request; the server
# calls malloc_trim after a reload so that glibc's per-thread arenas give a replaced model's pages
# back (without it RSS grew by about a model per reload: 31 -> 252 MiB over 32 reloads). Set
# MALLOC_ARENA_MAX to try other allocator settings (empty = glibc's default, the default here).
arena_max="${MALLOC_ARENA_MAX-}"
env ${arena_max:+MALLOC_ARENA_MAX=$arena_max} "$cobuy" --log-level info serve --model "$work/model-a" --orders-db "$work/orders.db" \
  --host 127.0.0.1 --port 0 --threads "$threads" > "$work/serve.out" 2> "$work/serve.log" &
server=$!
url=""
for _ in $(seq 300); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.log" | awk 'NR == 1' || true)"
  if [ -n "$url" ] && [ "$(http -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ]; then break; fi
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; echo "load_test: cobuy serve exited" >&2; exit 1; }
  url=""
  sleep 0.1
done
[ -n "$url" ] || { echo "load_test: cobuy serve did not become ready" >&2; exit 1; }
for id in $(head -3 "$work/items.txt"); do
  code="$(http -o /dev/null -w '%{http_code}' "$url/v1/items/$id/bought-together")"
  [ "$code" = 200 ] || { echo "load_test: item $id answers $code" >&2; exit 1; }
done

# --- RSS sampler and reloader, during the mix only ---------------------------------------------
# One line per second: VmRSS, then its parts RssAnon (heap), RssFile (mapped files, such as the
# model's and SQLite's) and RssShmem (SQLite's WAL index), all in KiB.
( while :; do
    awk '/^(VmRSS|RssAnon|RssFile|RssShmem):/ { v[$1] = $2 }
      END { print v["VmRSS:"], v["RssAnon:"], v["RssFile:"], v["RssShmem:"] }' "/proc/$server/status" \
      >> "$work/rss.txt" || exit 0
    sleep 1
  done ) &
helpers+=($!)
(
  k=0
  while :; do
    sleep 1
    if [ $((k % 2)) -eq 0 ]; then model="$work/model-b"; else model="$work/model-a"; fi
    code="$(http -o "$work/reload-last.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -d "{\"model\": \"$model\"}" "$url/v1/admin/reload" || echo 000)"
    echo "$code" >> "$work/reloads.txt"
    [ "$code" = 200 ] || cat "$work/reload-last.json" >> "$work/reload-failures.txt"
    k=$((k + 1))
  done
) &
helpers+=($!)

http "$url/metrics" > "$work/metrics-before.txt"
wrk -t2 -c64 -d"${load_seconds}s" --timeout 5s --latency -s "$mix_lua" "$url" \
  -- mix "$work/items.txt" "$work/customers.txt" > "$work/wrk-mix.txt"
for pid in "${helpers[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
helpers=()
http "$url/metrics" > "$work/metrics-after.txt"
wrk -t2 -c64 -d"${constant_seconds}s" --timeout 5s --latency -s "$mix_lua" "$url" -- constant \
  > "$work/wrk-constant.txt"
kill -0 "$server" 2>/dev/null || { echo "load_test: cobuy serve died under load" >&2; exit 1; }
kill "$server"
wait "$server" 2>/dev/null || true
server=""

# --- summary -------------------------------------------------------------------------------------
field() {  # file, key: a value of the LOAD_RESULT line
  awk -v k="$2" '$1 == "LOAD_RESULT" { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"
}
rps() { awk '/^Requests\/sec/ { print $2 }' "$1"; }
pct() { awk -v p="$2%" '$1 == p { print $2 }' "$1"; }
route_count() {  # metrics file, route: answers counted by the server on that route
  awk -v r="route=\"$2\"" 'index($0, "cobuy_requests_total{") == 1 && index($0, r) { n += $NF } END { print n + 0 }' "$1"
}
route_seconds() {  # metrics file, route: seconds the server spent on that route
  awk -v r="cobuy_request_duration_seconds_sum{route=\"$2\"}" '$1 == r { print $2 + 0 }' "$1"
}
mix_requests=$(field "$work/wrk-mix.txt" requests)
mix_errors=$(field "$work/wrk-mix.txt" errors)
mix_socket=$(field "$work/wrk-mix.txt" socket_errors)
const_requests=$(field "$work/wrk-constant.txt" requests)
const_errors=$(field "$work/wrk-constant.txt" errors)
const_socket=$(field "$work/wrk-constant.txt" socket_errors)
mix_rps=$(rps "$work/wrk-mix.txt")
const_rps=$(rps "$work/wrk-constant.txt")
ratio=$(awk -v a="$mix_rps" -v b="$const_rps" 'BEGIN { printf "%.2f", a / b }')
reloads_ok=$(grep -c '^200$' "$work/reloads.txt" || true)
reloads_failed=$(grep -vc '^200$' "$work/reloads.txt" || true)
split=""
for route in "/v1/items/{item_id}/bought-together" /v1/recommendations /v1/offers; do
  n=$(( $(route_count "$work/metrics-after.txt" "$route") - $(route_count "$work/metrics-before.txt" "$route") ))
  busy=$(awk -v a="$(route_seconds "$work/metrics-after.txt" "$route")" \
    -v b="$(route_seconds "$work/metrics-before.txt" "$route")" -v n="$n" \
    'BEGIN { printf "%.2f", (n > 0 ? (a - b) * 1000 / n : 0) }')
  split="$split
              $route: $n answers, mean ${busy} ms in the server"
done
# Flat memory (see the header): warm-up = first 20% of the samples, then thirds of the rest.
read -r rss_first rss_last rss_peak mem_first mem_last mem_ok < <(awk '
  function median(from, to,    i, j, k, v, m) {
    m = 0
    for (i = from; i <= to; i++) { v[++m] = s[i] }
    for (i = 2; i <= m; i++) { k = v[i]; for (j = i - 1; j >= 1 && v[j] > k; j--) v[j + 1] = v[j]; v[j + 1] = k }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
  }
  { s[NR] = $1 }
  END {
    if (NR < 6) { print 0, 0, 0, 0, 0, 0; exit }
    w = int(NR / 5); n = NR - w; third = int(n / 3)
    a = median(w + 1, w + third); b = median(NR - third + 1, NR)
    for (i = 1; i <= NR; i++) if (s[i] > p) p = s[i]
    slack = a / 10 > 16384 ? a / 10 : 16384
    print s[1], s[NR], p, a, b, (b <= a + slack ? 1 : 0)
  }' "$work/rss.txt")
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

echo "cobuy load test: wrk -t2 -c64 --latency, ${load_seconds}s mix + ${constant_seconds}s constant, server --threads $threads" \
  "MALLOC_ARENA_MAX=${arena_max:-default}, $(nproc) cores"
echo "  trained two models in ${train_seconds}s"
echo "  mix:      $mix_rps requests/s, p50 $(pct "$work/wrk-mix.txt" 50), p99 $(pct "$work/wrk-mix.txt" 99)," \
  "$mix_requests answers, $mix_errors not 200, $mix_socket socket errors"
echo "            by route (server's /metrics):$split"
echo "  constant: $const_rps requests/s, p50 $(pct "$work/wrk-constant.txt" 50), p99 $(pct "$work/wrk-constant.txt" 99)," \
  "$const_requests answers, $const_errors not 200, $const_socket socket errors"
echo "  mix / constant throughput ratio: $ratio"
reload_ms=$(awk -v s="$(route_seconds "$work/metrics-after.txt" /v1/admin/reload)" -v n="$((reloads_ok + reloads_failed))" \
  'BEGIN { printf "%.0f", (n > 0 ? s * 1000 / n : 0) }')
echo "  reloads during the mix: $reloads_ok ok, $reloads_failed failed (mean ${reload_ms} ms each)"
echo "  RSS: first sample $(mib "$rss_first"), last $(mib "$rss_last"), peak $(mib "$rss_peak");" \
  "median of first third after warm-up $(mib "$mem_first"), of last third $(mib "$mem_last")"
read -r _ anon0 file0 shm0 < "$work/rss.txt"
read -r _ anon1 file1 shm1 < <(tail -n 1 "$work/rss.txt")
echo "  RSS parts, first -> last sample: anon $(mib "$anon0") -> $(mib "$anon1"), file $(mib "$file0") ->" \
  "$(mib "$file1"), shmem $(mib "$shm0") -> $(mib "$shm1")"
[ -z "${LOAD_RSS_OUT:-}" ] || cp "$work/rss.txt" "$LOAD_RSS_OUT"  # per-second samples, for a plot
echo "  took $((SECONDS - started))s"

problems=()
[ "${mix_requests:-0}" -gt 0 ] || problems+=("the mix got no answers")
[ "${mix_errors:-1}" -eq 0 ] && [ "${mix_socket:-1}" -eq 0 ] || problems+=("errors in the mix (see $work/wrk-mix.txt)")
[ "${const_errors:-1}" -eq 0 ] && [ "${const_socket:-1}" -eq 0 ] || problems+=("errors on /v1/constant")
[ "$reloads_failed" -eq 0 ] && [ "$reloads_ok" -gt 0 ] || problems+=("reloads failed (see $work/reload-failures.txt)")
[ "$mem_ok" -eq 1 ] || problems+=("memory grew during the mix (samples in $work/rss.txt)")
if [ ${#problems[@]} -gt 0 ]; then
  printf 'load_test: FAILED: %s\n' "${problems[@]}" >&2
  exit 1
fi
failed=0
echo "load_test: passed"
