#!/usr/bin/env bash
# End-to-end benchmarks: train time and peak RSS (Online Retail, Instacart train split), server
# throughput and latency with wrk (bought-together vs the constant endpoint on the same server).
# Prints markdown; run from the repository root after scripts/build.sh:
#   bench/e2e.sh > /tmp/e2e.md
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cobuy="$root/build/cobuy"
shared="$root/../shared/datasets"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

online_retail="$shared/online-retail/online_retail.csv.gz"
[ -f "$online_retail" ] || online_retail="$root/datasets/online_retail.csv.gz"
instacart="$shared/instacart-train/order_products__train.csv.gz"

train_row() {  # name, format, file
  local log="$work/time.log"
  /usr/bin/time -v "$cobuy" --log-level warn train --orders "$3" --format "$2" --out "$work/model-$1" \
    > "$work/train.out" 2> "$log"
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  local times
  times=$(grep "^time" "$work/train.out" | sed 's/^time *//')
  echo "| $1 | $wall | $((rss / 1024)) MiB | $times |"
}

echo "## Training (\`bench/e2e.sh\`, $(nproc) cores)"
echo
echo "| data | wall (m:ss) | peak RSS | phases |"
echo "|---|---|---|---|"
train_row online-retail online-retail "$online_retail"
if [ -f "$instacart" ]; then train_row instacart instacart "$instacart"; fi

# Serving: one server, two endpoints, same wrk settings.
port=18181
"$cobuy" --log-level warn serve --model "$work/model-online-retail" --port $port --threads 16 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
wrk_row() {  # name, path
  local out="$work/wrk.out"
  wrk -t2 -c16 -d10s --latency "http://127.0.0.1:$port$2" > "$out"
  local rps p50 p99 errors
  rps=$(grep "Requests/sec" "$out" | awk '{print $2}')
  p50=$(grep -E "^ +50%" "$out" | awk '{print $2}')
  p99=$(grep -E "^ +99%" "$out" | awk '{print $2}')
  errors=$(grep -E "Non-2xx|Socket errors" "$out" | tr '\n' ' ' || true)
  echo "| $1 | $rps | $p50 | $p99 | ${errors:-none} |" 
  echo "$rps" > "$work/rps-$1"
}
echo
echo "## Serving (wrk -t2 -c16 -d10s, server --threads 16, same machine)"
echo
echo "| endpoint | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
wrk_row constant /v1/constant
wrk_row bought-together "/v1/items/22697/bought-together?limit=10"
echo
ratio=$(python3 -c "print(f'{float(open(\"$work/rps-bought-together\").read())/float(open(\"$work/rps-constant\").read()):.2f}')")
echo "bought-together / constant throughput ratio: **$ratio**"
rss=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
echo
echo "Server peak RSS after the load: $((rss / 1024)) MiB"
kill $server
wait $server 2>/dev/null || true
