#!/usr/bin/env bash
# The sanitizer leg of CI: an AddressSanitizer + UndefinedBehaviorSanitizer build of
# everything (Boost ucontext fibers, announced to ASan), the whole CTest suite under it, then
# `fedsim check-determinism` on every bundled scenario over a seed range.
# Usage: scripts/ci-sanitize.sh [SEEDS]          (default 1..200)
# Environment: CXX (default clang++ if installed, else g++), ASAN_BUILD_DIR (default build-asan),
# CTEST_ARGS (extra ctest arguments, e.g. "-LE browser"), FUZZ_SECONDS (when set, the build also
# carries libFuzzer coverage instrumentation, FEDSIM_FUZZ=ON, and each fuzz target then runs
# that many seconds from the same build: the short fuzz run of CI without a third build).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-1..200}
build_dir=${ASAN_BUILD_DIR:-build-asan}
cxx=${CXX:-$(command -v clang++ || command -v g++)}
start=$(date +%s)

echo "== sanitizer build ($cxx) in $build_dir =="
# -g1 (clang: line tables only) instead of RelWithDebInfo's -g: a sanitizer report needs only
# function, file and line for each frame, and full debug info cost 8-12% more CPU per file
# (clang, measured on chain.cc and router_test.cc). -O1 comes from FEDSIM_SANITIZE.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DCMAKE_CXX_COMPILER="$cxx" -DFEDSIM_SANITIZE=ON -DFEDSIM_BUILD_BENCH=OFF \
  -DFEDSIM_FUZZ="$([[ -n ${FUZZ_SECONDS:-} ]] && echo ON || echo OFF)" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
built=$(date +%s)

# halt_on_error: the first report fails the test that caused it, with its stack.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "== test suite under ASan+UBSan =="
# shellcheck disable=SC2086
(cd "$build_dir" && ctest --output-on-failure -j "$(nproc)" ${CTEST_ARGS:-})
tested=$(date +%s)

echo "== check-determinism, every bundled scenario, seeds $seeds =="
# One process per scenario, $(nproc) at a time (check-determinism is single-threaded); each
# one's output is kept and printed in file order, in full when it failed. A log is named by its
# path with "_" written "_u" and "/" written "_s", so no two paths share a log.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
find scenarios -name '*.json' | sort >"$out/files"
count=$(wc -l <"$out/files")
# shellcheck disable=SC2016
xargs -d '\n' -P "$(nproc)" -I{} bash -c \
  'log="$3/$(sed -e "s/_/_u/g" -e "s|/|_s|g" <<<"$1")"
   "$0" check-determinism "$1" --seeds "$2" >"$log" 2>&1
   echo $? >"$log.rc"' "$build_dir/tools/fedsim" {} "$seeds" "$out" <"$out/files"
failed=0
while IFS= read -r file; do
  log="$out/$(sed -e "s/_/_u/g" -e "s|/|_s|g" <<<"$file")"
  if [[ $(cat "$log.rc") == 0 ]]; then
    tail -1 "$log" | sed "s|^|$file: |"
  else
    echo "$file: check-determinism failed (exit $(cat "$log.rc")):" >&2
    cat "$log" >&2
    failed=1
  fi
done <"$out/files"
[[ $failed == 0 ]]
checked=$(date +%s)

if [[ -n ${FUZZ_SECONDS:-} ]]; then
  FUZZ_BUILD_DIR=$build_dir bash scripts/fuzz.sh "$FUZZ_SECONDS"
fi
end=$(date +%s)
echo "== sanitizer CI done: build $((built - start))s, tests $((tested - built))s," \
  "check-determinism of $count scenarios $((checked - tested))s, fuzz $((end - checked))s," \
  "total $((end - start))s =="
