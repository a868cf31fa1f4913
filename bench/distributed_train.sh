#!/usr/bin/env bash
# What MPI ranks buy on this machine: `cobuy train` against `mpirun -np N cobuy train
# --distributed` for N = 1, 2, 3 on the same order files (the project's generator written as
# CSV, cut into 6 files), each timed as a whole process with /usr/bin/time. Loopback only.
# --bind-to none: OpenMPI binds each rank to one core when np <= 2, and rank 0 then runs its
# multi-threaded stages (EASE, the fits) on that one core (46 s instead of 40 s at np 2).
#   bash bench/distributed_train.sh [build-dir] [customers] [items]
set -euo pipefail
build="${1:-build}"
customers="${2:-200000}"
items="${3:-20000}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$build/bench/cobuy_synthetic_csv" --customers "$customers" --items "$items" --files 6 --out "$dir/orders"
files=("$dir"/orders/*.csv)
run() {  # label command...
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$dir/time" "$@" > "$dir/out" 2>&1 || { cat "$dir/out"; exit 1; }
  read -r wall rss < "$dir/time"
  printf '| %s | %s | %.0f |\n' "$label" "$wall" "$((rss / 1024))"
}
echo "| run | wall s | peak RSS of the largest process, MiB |"
echo "|---|---|---|"
run "cobuy train" "$build/cobuy" --log-level error train --orders "${files[@]}" --out "$dir/model"
for n in 1 2 3; do
  run "mpirun -np $n cobuy train --distributed" mpirun --oversubscribe --allow-run-as-root --bind-to none -np "$n" \
    "$build/cobuy" --log-level error train --distributed --orders "${files[@]}" --out "$dir/model-$n"
done
