#!/usr/bin/env bash
# Runs the engine benchmarks W1-W3 side by side with the peer benchmarks
# (../shared/bench-peers/run.sh: raw Boost.Context baseline, ns-3, SimGrid) in one invocation,
# so the ratios compare numbers taken on the same machine at the same time.
# Prints every result line, then the ratios the engine issue sets targets for.
# Env: REPS (default 3), QUICK=1 (counts / 10, smoke only), ONLY=W1|W2|W3, BUILD_DIR,
#      PEERS (path to bench-peers, default ../shared/bench-peers next to the repo).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
REPS=${REPS:-3}
ONLY=${ONLY:-}
DIV=1
[[ "${QUICK:-0}" == 1 ]] && DIV=10
build=${BUILD_DIR:-$root/build-bench}
peers=${PEERS:-$root/../shared/bench-peers}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

scripts/install-deps.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFEDSIM_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target bench_w1_timer_chains bench_w2_actor_sleep bench_w3_ping_pong >/dev/null

echo "# machine: $(nproc) cores, $(uname -r), $(${CXX:-g++} --version | head -1)"
echo "# peers (same run):"
BUILD_DIR=/tmp/bench-peers-build REPS=$REPS ONLY=$ONLY QUICK=${QUICK:-0} bash "$peers/run.sh" \
  | tee "$results/peers.txt"

median() { sort -g | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else printf "%.0f\n", (v[NR/2]+v[NR/2+1])/2 }'; }

# measure WORKLOAD PARAM METRIC CMD...: REPS runs, prints the median line.
measure() {
  local workload=$1 param=$2 metric=$3
  shift 3
  local vals=()
  for ((i = 1; i <= REPS; i++)); do
    line=$("$@")
    vals+=("$(sed -E "s/.* ${metric}=([0-9.]+).*/\1/" <<<"$line")")
  done
  echo "fedsim $workload $param ${metric}=$(printf '%s\n' "${vals[@]}" | median)" | tee -a "$results/ours.txt"
}

echo "# fedsim (same run):"
if [[ -z "$ONLY" || "$ONLY" == W1 ]]; then
  for c in 10 1000 100000; do
    measure W1 $c events_per_s "$build/bench/bench_w1_timer_chains" --c=$c --events=$((10000000 / DIV))
  done
fi
if [[ -z "$ONLY" || "$ONLY" == W2 ]]; then
  for a in 10 1000 10000; do
    measure W2 $a wakeups_per_s "$build/bench/bench_w2_actor_sleep" --a=$a --wakeups=$((2000000 / DIV))
  done
fi
if [[ -z "$ONLY" || "$ONLY" == W3 ]]; then
  for p in 1 100 1000; do
    measure W3 $p messages_per_s "$build/bench/bench_w3_ping_pong" --p=$p --roundtrips=$((1000000 / DIV))
  done
fi

value() { # FILE PEER WORKLOAD PARAM
  awk -v p="$2" -v w="$3" -v n="$4" '$1==p && $2==w && $3==n && $4 !~ /peak_rss/ {split($4,a,"="); print a[2]}' "$1"
}
ratio() { # LABEL OURS THEIRS
  if [[ -n "$2" && -n "$3" ]]; then
    awk -v l="$1" -v a="$2" -v b="$3" 'BEGIN{printf "ratio %-44s %.2f  (%s / %s)\n", l, a/b, a, b}'
  fi
}
echo "# ratios (fedsim / peer, same run):"
all=$(cat "$results/peers.txt" "$results/ours.txt")
printf '%s\n' "$all" >"$results/all.txt"
ratio "W2 A=10000 vs raw-fiber (target >= 0.70)" "$(value "$results/all.txt" fedsim W2 10000)" "$(value "$results/all.txt" raw-fiber W2 10000)"
best_sg=$(for f in simgrid-raw simgrid-boost simgrid-ucontext; do value "$results/all.txt" $f W2 10000; done | sort -g | tail -1)
ratio "W2 A=10000 vs best SimGrid factory (target >= 5)" "$(value "$results/all.txt" fedsim W2 10000)" "$best_sg"
ratio "W3 P=100 vs raw-fiber (target >= 0.50)" "$(value "$results/all.txt" fedsim W3 100)" "$(value "$results/all.txt" raw-fiber W3 100)"
ratio "W1 C=1000 vs ns3-map (target >= 1)" "$(value "$results/all.txt" fedsim W1 1000)" "$(value "$results/all.txt" ns3-map W1 1000)"
ratio "W1 C=1000 vs ns3-pq (target >= 1)" "$(value "$results/all.txt" fedsim W1 1000)" "$(value "$results/all.txt" ns3-pq W1 1000)"
