#!/usr/bin/env bash
# One command for every benchmark of issue 8: the standard scenario, the scale series, the sweep
# overhead (in-process loop vs forked workers, the pool `fedsim sweep` uses), instruction counts
# under callgrind (stable on a shared machine, unlike wall time) and the engine workloads W1-W3
# beside the peers (bench/run.sh). Prints every result line and rewrites the model-level section
# of docs/performance.md (between the MODEL-LEVEL markers; the engine section above them is left
# alone). Benchmarks measure; nothing here asserts on time.
# Env: STD_SEEDS (default 20), SWEEP_SEEDS (default 20), SWEEP_10K=1 adds the 10,000-seed sweep
#      with 2 workers, SCALE_NODES (default "100 1000 10000": N nodes, 5N channels, 10N
#      payments; the 10,000-node day takes about 20 s, see docs/performance.md),
#      SCALE_DAY_MINUTES (default: the scenario's day), CALLGRIND=0 skips the
#      instruction counts, ENGINE=0 skips bench/run.sh, WRITE_DOCS=0 skips the rewrite,
#      BUILD_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${BUILD_DIR:-$root/build-bench}
STD_SEEDS=${STD_SEEDS:-20}
SWEEP_SEEDS=${SWEEP_SEEDS:-20}
SCALE_NODES=${SCALE_NODES:-"100 1000 10000"}
SCALE_DAY_MINUTES=${SCALE_DAY_MINUTES:-0}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFEDSIM_BUILD_TESTS=OFF \
  -DFEDSIM_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --target bench_model >/dev/null
model="$build/bench/bench_model"
machine="$(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), ${CXX:-g++} $(${CXX:-g++} -dumpfullversion), RelWithDebInfo"

# record CMD RESULT: one table row, paths relative to the build directory.
record() {
  local cmd=$1 line=$2
  printf '| `%s` | %s | %s |\n' "${cmd//$build\//}" "$line" "$(cut -d' ' -f1-2 /proc/loadavg)" >>"$out"
}
# run CMD...: prints and records "`CMD`", its result line and the load average at the end.
run() {
  local line
  line=$("$@" | grep '^bench_model' | head -1)
  echo "$line"
  record "$*" "$line"
}
# instr CMD...: instructions under callgrind (the program's own result line is dropped).
instr() {
  local n
  n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
      sed -n 's/.*Collected : *\([0-9]*\).*/\1/p')
  echo "instructions=$n $*"
  record "valgrind --tool=callgrind $*" "instructions=$n"
}

echo "# machine: $machine"
echo "# 1. standard scenario (in process, one core): production timing, and the test env's"
run "$model" --mode=standard --seeds="$STD_SEEDS"
run "$model" --mode=standard --seeds=3 --timing=test
echo "# 2. scale series (one seed each: N nodes, 5N channels, 10N payments)"
day=()
[[ "$SCALE_DAY_MINUTES" != 0 ]] && day=(--day_minutes="$SCALE_DAY_MINUTES")
for n in $SCALE_NODES; do
  run "$model" --mode=scale --nodes="$n" "${day[@]}"
done
echo "# 3. sweep overhead: the same seeds in process and in forked workers"
run "$model" --mode=standard --seeds="$SWEEP_SEEDS" --jobs=0
run "$model" --mode=standard --seeds="$SWEEP_SEEDS" --jobs=1
run "$model" --mode=standard --seeds="$SWEEP_SEEDS" --jobs=2
if [[ "${SWEEP_10K:-0}" == 1 ]]; then
  run "$model" --mode=standard --seeds=10000 --jobs=2
fi
if [[ "${CALLGRIND:-1}" == 1 ]] && command -v valgrind >/dev/null; then
  echo "# 4. instruction counts (callgrind)"
  instr "$model" --mode=standard --seeds=1 --day_minutes=120
  instr "$model" --mode=scale --nodes=100 --payments=1000 --day_minutes=60 --blocks=6
  instr "$model" --mode=scale --nodes=1000 --payments=1000 --day_minutes=60 --blocks=6
fi
if [[ "${ENGINE:-1}" == 1 ]]; then
  echo "# 5. engine workloads beside the peers"
  BUILD_DIR="$build" bench/run.sh | tee -a /dev/stderr | grep '^ratio' |
    sed 's/^/| `bench\/run.sh` | /; s/$/ | |/' >>"$out" || true
fi

if [[ "${WRITE_DOCS:-1}" == 1 ]]; then
  doc=docs/performance.md
  begin='<!-- MODEL-LEVEL BEGIN (written by bench/all.sh) -->'
  end='<!-- MODEL-LEVEL END -->'
  section=$(mktemp)
  {
    echo "$begin"
    echo "### Last \`bench/all.sh\` run"
    echo
    echo "Machine: $machine; $(date -u +%Y-%m-%d). Paths are relative to the build directory."
    echo "Wall-clock figures are comparable only within this run (shared machine: the load column"
    echo "is /proc/loadavg when the line finished; 2 cores). Instruction counts do not depend on load."
    echo
    echo "| command | result | load |"
    echo "| --- | --- | --- |"
    cat "$out"
    echo "$end"
  } >"$section"
  if grep -qF "$begin" "$doc"; then
    awk -v b="$begin" -v e="$end" -v f="$section" '
      $0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
      $0 == e { skip = 0; next }
      !skip { print }' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
  else
    { echo; cat "$section"; } >>"$doc"
  fi
  rm -f "$section"
  echo "# wrote the model-level results into $doc"
fi
