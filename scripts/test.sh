#!/usr/bin/env bash
# Every test on a fresh machine: install what is missing, build, run the whole CTest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-test-tools
scripts/build.sh build
cd build
ctest --output-on-failure -j "$(nproc)"
