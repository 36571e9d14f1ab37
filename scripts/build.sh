#!/usr/bin/env bash
# Configures and builds fedsim. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
# Environment: CXX picks the compiler (g++ by default), BUILD_TYPE (RelWithDebInfo).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
shift || true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
