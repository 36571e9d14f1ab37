#!/usr/bin/env bash
# The clang -O0 build of the determinism check: only the fedsim command, built with clang at
# -O0 (CMake's Debug), so its fingerprints can be compared with the g++ -O2 and the sanitizer
# builds (scripts/ci-cross-fingerprints.sh, scripts/compare-fingerprints.sh). An optimiser that
# changed a decision, or code whose result depends on evaluation order the standard leaves
# open, shows up as a differing fingerprint between these builds. No -g: this build only prints
# fingerprints, and dropping -g saves about 16-17% of clang's CPU time per file at -O0 here
# (measured on chain.cc, gateway_world_run.cc, sweep_command.cc); debug info never changes the
# generated code.
# Usage: scripts/ci-clang-debug.sh [BUILD_DIR]        (default build-clang)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build-clang}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS_DEBUG="-O0" -DFEDSIM_BUILD_TESTS=OFF -DFEDSIM_BUILD_BENCH=OFF >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target fedsim
