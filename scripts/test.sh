#!/usr/bin/env bash
# Every test on a fresh machine: install what is missing, build, run the whole CTest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-test-tools
# Line tables only (DEBUG_INFO=lines, scripts/build.sh): a failing test's backtrace still names
# function, file and line, and the build costs ~30% less CPU than with full debug info.
DEBUG_INFO=lines scripts/build.sh build
cd build
ctest --output-on-failure -j "$(nproc)"
