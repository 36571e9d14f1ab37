#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, and run the demo sweep that
# finds a timeout race and replays the failing seed. Extra arguments go to `fedsim demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
exec build/tools/fedsim demo "$@"
