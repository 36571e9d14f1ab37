#!/usr/bin/env bash
# Marginal instructions per unit of work for W1-W3, fedsim beside the raw Boost.Context
# baseline, counted by callgrind (stable on a loaded machine, unlike wall time). Each figure is
# (count at 2N units - count at N units) / N, so set-up cancels out.
# Usage: bench/callgrind_engine.sh [BUILD_DIR]      (default build; needs valgrind)
# The raw baselines are compiled from ../shared/bench-peers with the flags its run.sh uses.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
peers=${PEERS:-../shared/bench-peers}
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
for w in raw_w1 raw_w2 raw_w3; do
  g++ -O2 -std=c++17 -DNDEBUG -o "$raw/$w" "$peers/$w.cpp" -lboost_context
done
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
    grep -o "I *refs: *[0-9,]*" | tr -dc 0-9
}
marginal() {  # label unit-flag n binary args...
  local label=$1 unit=$2 n=$3
  shift 3
  local a b
  a=$(count "$@" "--$unit=$n")
  b=$(count "$@" "--$unit=$((2 * n))")
  printf '%-28s %6d instructions per unit\n' "$label" $(((b - a) / n))
}
marginal "fedsim W1 C=1000" events 200000 "$build/bench/bench_w1_timer_chains" --c=1000
marginal "raw-fnptr W1 C=1000" events 200000 "$raw/raw_w1" --c=1000 --fn=0
for a in 1000 10000; do
  marginal "fedsim W2 A=$a" wakeups 200000 "$build/bench/bench_w2_actor_sleep" --a=$a
  marginal "raw-fiber W2 A=$a" wakeups 200000 "$raw/raw_w2" --a=$a
done
marginal "fedsim W3 P=100" roundtrips 100000 "$build/bench/bench_w3_ping_pong" --p=100
marginal "raw-fiber W3 P=100" roundtrips 100000 "$raw/raw_w3" --p=100
