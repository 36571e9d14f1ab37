#!/usr/bin/env bash
# One command for every benchmark of issue 8: the standard scenario, the scale series, the sweep
# overhead (in-process loop vs forked workers, the pool `fedsim sweep` uses) and the engine
# workloads W1-W3 beside the peers (bench/run.sh). Prints every result line and rewrites the
# model-level section of docs/performance.md (between the MODEL-LEVEL markers; the engine
# section above them is left alone). Benchmarks measure; nothing here asserts on time.
# Env: STD_SEEDS (default 3), SWEEP_SEEDS (default 4), SCALE_NODES (default "100 1000"),
#      SCALE_DAY_MINUTES (default 120), ENGINE=0 skips bench/run.sh, WRITE_DOCS=0 skips the
#      rewrite, BUILD_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${BUILD_DIR:-$root/build-bench}
STD_SEEDS=${STD_SEEDS:-3}
SWEEP_SEEDS=${SWEEP_SEEDS:-4}
SCALE_NODES=${SCALE_NODES:-"100 1000"}
SCALE_DAY_MINUTES=${SCALE_DAY_MINUTES:-120}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFEDSIM_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target bench_model >/dev/null
model="$build/bench/bench_model"
machine="$(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

# run CMD...: prints and records "`CMD`" and its result line.
run() {
  local line
  line=$("$@" | head -1)
  echo "$line"
  printf '| `%s` | %s |\n' "${*/#$build\//}" "$line" >>"$out"
}

echo "# machine: $machine"
echo "# 1. standard scenario (in process, one core)"
run "$model" --mode=standard --seeds="$STD_SEEDS"
echo "# 2. scale series (one seed each, ${SCALE_DAY_MINUTES}-minute day, 10 payments per node)"
for n in $SCALE_NODES; do
  run "$model" --mode=scale --nodes="$n" --day_minutes="$SCALE_DAY_MINUTES"
done
echo "# 4. sweep overhead: the same seeds in process and in one forked worker"
run "$model" --mode=standard --seeds="$SWEEP_SEEDS" --jobs=0
run "$model" --mode=standard --seeds="$SWEEP_SEEDS" --jobs=1
run "$model" --mode=standard --seeds="$SWEEP_SEEDS" --jobs=2
if [[ "${ENGINE:-1}" == 1 ]]; then
  echo "# 3. engine workloads beside the peers"
  BUILD_DIR="$build" bench/run.sh | tee -a /dev/stderr | grep '^ratio' |
    sed 's/^/| `bench\/run.sh` | /; s/$/ |/' >>"$out" || true
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
    echo
    echo "| command | result |"
    echo "| --- | --- |"
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
