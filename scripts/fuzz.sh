#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (-fsanitize=fuzzer,address,undefined) and runs each
# for SECONDS (default 60). Usage: scripts/fuzz.sh [SECONDS]
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS (parallel fuzz processes per
# target, default 1), CXX (default clang++).
# The seed corpus is every scenarios/**/*.json plus fuzz/corpus/<target>/; what the fuzzer
# learns is kept in $FUZZ_BUILD_DIR/corpus/<target>/ between runs. A crash leaves its input in
# $FUZZ_BUILD_DIR/artifacts/ and makes the script fail: copy it into
# tests/fuzz_regressions/inputs/<target>/ so the regression test replays it in every build.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-1}

# A build already configured with FEDSIM_FUZZ=ON (the CI sanitizer build) is reused as it is.
if ! grep -qs '^FEDSIM_FUZZ:BOOL=ON$' "$build_dir/CMakeCache.txt"; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="${CXX:-clang++}" -DFEDSIM_FUZZ=ON -DFEDSIM_SANITIZE=ON \
    -DFEDSIM_BUILD_TESTS=OFF -DFEDSIM_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)" --target scenario_fuzzer trace_fuzzer

# The fuzzers exercise the parser only; a leak in a rejected parse would still be a bug.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# -jobs makes libFuzzer write fuzz-N.log files into the current folder: only when asked for.
parallel=()
if [[ $jobs -gt 1 ]]; then
  parallel=(-jobs="$jobs" -workers="$jobs")
fi
# fuzz TARGET: one target's run; its output goes to $build_dir/fuzz-TARGET.log.
fuzz() {
  local target=$1 corpus="$build_dir/corpus/$1" artifacts="$build_dir/artifacts/$1/"
  local seeds=("fuzz/corpus/$target" "tests/fuzz_regressions/inputs/$target")
  "$build_dir/fuzz/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 "${parallel[@]}" \
    -print_final_stats=1 -artifact_prefix="$artifacts" -dict=fuzz/json.dict \
    "$corpus" "${seeds[@]}" >"$build_dir/fuzz-$target.log" 2>&1
}
# With one process per target (the default, and CI's) the targets fuzz side by side, each for
# SECONDS: on two cores that halves the wall time of one after the other, with the same fuzzing
# time each. With FUZZ_JOBS above 1 they take turns (libFuzzer's -jobs writes fuzz-N.log files
# into the current folder, which two targets at once would share).
targets=(scenario trace)
declare -A pid rc
for target in "${targets[@]}"; do
  mkdir -p "$build_dir/corpus/$target" "$build_dir/artifacts/$target/"
  if [[ $target == scenario ]]; then
    find scenarios -name '*.json' -exec cp {} "$build_dir/corpus/$target/" \;
  fi
  echo "== fuzzing $target for ${seconds}s =="
  if [[ $jobs -gt 1 ]]; then
    rc[$target]=0
    fuzz "$target" || rc[$target]=$?
  else
    fuzz "$target" &
    pid[$target]=$!
  fi
done
status=0
for target in "${targets[@]}"; do
  if [[ -n ${pid[$target]:-} ]]; then
    rc[$target]=0
    wait "${pid[$target]}" || rc[$target]=$?
  fi
  log="$build_dir/fuzz-$target.log"
  if [[ ${rc[$target]} != 0 ]]; then
    echo "fuzz: $target found a crash; see $log and $build_dir/artifacts/$target/" >&2
    tail -40 "$log" >&2  # a fresh CI runner may not keep the log
    status=1
  fi
  echo "== $target:"
  grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$log" | tail -2 || true
done
exit $status
